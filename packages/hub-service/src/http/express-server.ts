import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Express } from 'express';

/**
 * A constructor that runs `base` on an object whose prototype is `prototype` from the start.
 * `base` is called as a function (Node's `IncomingMessage` and `ServerResponse` are plain
 * constructor functions; `Reflect.construct` with another `new.target` made their constructors
 * several times slower); should one become a class, it is returned unchanged.
 */
function constructedWithPrototype<C extends new (...args: never[]) => object>(base: C, prototype: object): C {
  if (/^class\b/.test(Function.prototype.toString.call(base))) return base;
  const init = base as unknown as (this: object, ...args: ConstructorParameters<C>) => void;
  function Constructed(this: object, ...args: ConstructorParameters<C>): void {
    init.apply(this, args);
  }
  Object.defineProperty(Constructed, 'prototype', { value: prototype });
  return Constructed as unknown as C;
}

/**
 * Options for `http.createServer(options, app)` under which Node builds each request and response
 * with the prototypes express gives them (`app.request`, `app.response`), so the
 * `Object.setPrototypeOf` express does on every request changes nothing. Changing the prototype
 * of every request and response made V8 promote each request's objects to the old space (about
 * 8 KB a request for a bare express 5 app, none with these options; docs/performance.md, the read
 * p99). Same objects and prototype chain as before, only built in one step; an express app
 * mounted inside `app` still swaps the prototypes for its own requests, as express does.
 */
export function expressServerOptions(app: Express): ServerOptions {
  return {
    IncomingMessage: constructedWithPrototype<typeof IncomingMessage>(IncomingMessage, app.request),
    ServerResponse: constructedWithPrototype<typeof ServerResponse>(ServerResponse, app.response),
  };
}
