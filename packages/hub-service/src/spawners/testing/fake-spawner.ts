import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { SpawnError } from '../spawner';
import type { PollResult, ServerLogRef, SpawnContext, SpawnHandle, SpawnRequest, SpawnResult, Spawner } from '../spawner';
import { abortError, sleep } from '../abort';
import { FakeServerRegistry, closeHttpServer } from './fake-server-registry';
import type { FakeServer } from './fake-server-registry';

/**
 * What one start of the {@link FakeSpawner} does:
 * - `ok`: starts a real HTTP server on 127.0.0.1 that answers 200 on any path;
 * - `slow`: waits `delayMs` (abortable), then as `ok`;
 * - `never`: never finishes; rejects once the start is aborted;
 * - `fail`: rejects with a {@link SpawnError} carrying `message`;
 * - `crash-after-start`: as `ok`, but the server goes away after answering `afterRequests`
 *   requests (default 1: the hub's readiness check), and `poll` then says stopped (exit code 1);
 * - `unknown`: as `ok`, but `poll` answers `unknown` with `message`.
 */
export type FakeBehaviour =
  | { readonly kind: 'ok' }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'never' }
  | { readonly kind: 'fail'; readonly message?: string }
  | { readonly kind: 'crash-after-start'; readonly afterRequests?: number }
  | { readonly kind: 'unknown'; readonly message?: string };

/** Options of {@link FakeSpawner}. */
export interface FakeSpawnerOptions {
  /** Picks the behaviour of each start from its request; default: always `ok`. */
  readonly behaviour?: (request: SpawnRequest) => FakeBehaviour;
  /** Where the started servers are kept; share one to simulate a hub restart. Default: its own. */
  readonly registry?: FakeServerRegistry;
  /** Value of the `X-JupyterHub-Version` header the servers send; default `6.1.1`. */
  readonly version?: string;
}

/** The exit code `poll` reports for a crashed fake server. */
export const FAKE_CRASH_EXIT_CODE = 1;

function handleId(handle: SpawnHandle): string | null {
  const id = handle['fakeServerId'];
  return typeof id === 'string' ? id : null;
}

function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    if (signal.aborted) reject(abortError(signal));
    else signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
  });
}

/**
 * TEST TOOLING, never chosen by config: a scripted spawner for hub tests that need no server
 * process. Each start's behaviour comes from {@link FakeSpawnerOptions.behaviour}; the servers are
 * real HTTP servers inside the test process, so the hub's wait-up check and its proxy work for
 * real. Call {@link close} when done so the test process can exit.
 */
export class FakeSpawner implements Spawner {
  readonly kind = 'fake';
  /** Every request `start` was called with, in order. */
  readonly requests: SpawnRequest[] = [];
  /** What each server "wrote" (its progress and failure lines), by `user/server`, for {@link logTail}. */
  private readonly logs = new Map<string, string[]>();
  /** The servers this spawner (and any sharing the registry) started and did not stop. */
  readonly registry: FakeServerRegistry;
  private readonly behaviour: (request: SpawnRequest) => FakeBehaviour;
  private readonly version: string;

  constructor(options: FakeSpawnerOptions = {}) {
    this.behaviour = options.behaviour ?? (() => ({ kind: 'ok' }));
    this.registry = options.registry ?? new FakeServerRegistry();
    this.version = options.version ?? '6.1.1';
  }

  /**
   * Runs the scripted behaviour. Reports one progress event (10 %) before anything else.
   *
   * @throws SpawnError for `fail`; an Error named `AbortError` when `ctx.signal` fires.
   */
  async start(request: SpawnRequest, ctx: SpawnContext): Promise<SpawnResult> {
    this.requests.push(request);
    const { signal } = ctx;
    if (signal.aborted) throw abortError(signal);
    const behaviour = this.behaviour(request);
    ctx.onProgress({ progress: 10, message: 'Fake server starting…' });
    const log = this.logs.get(`${request.user.name}/${request.server.name}`) ?? [];
    this.logs.set(`${request.user.name}/${request.server.name}`, log);
    log.push(`fake server ${request.server.name || '(default)'} of ${request.user.name} starting (${behaviour.kind})`);
    if (signal.aborted) throw abortError(signal);

    switch (behaviour.kind) {
      case 'fail':
        log.push(behaviour.message ?? 'The fake spawner was scripted to fail.');
        throw new SpawnError(behaviour.message ?? 'The fake spawner was scripted to fail.');
      case 'never':
        return waitForAbort(signal);
      case 'slow':
        await sleep(behaviour.delayMs, signal);
        break;
      default:
        break;
    }
    const id = randomUUID();
    const crashAfter = behaviour.kind === 'crash-after-start' ? Math.max(1, behaviour.afterRequests ?? 1) : null;
    const http = this.createHttpServer(id, crashAfter);
    const port = await this.listen(http);
    if (signal.aborted) {
      await closeHttpServer(http);
      throw abortError(signal);
    }
    const pollUnknown = behaviour.kind === 'unknown' ? (behaviour.message ?? 'the fake backend cannot tell') : null;
    this.registry.add({ id, request, http, port, pollUnknown, crashed: false });
    return { handle: { fakeServerId: id, port }, target: `http://127.0.0.1:${port}` };
  }

  /** `running`; `stopped` once stopped or crashed (or for a handle it does not know); `unknown` as scripted. */
  poll(handle: SpawnHandle): Promise<PollResult> {
    const id = handleId(handle);
    const server = id === null ? undefined : this.registry.get(id);
    if (server === undefined) return Promise.resolve({ status: 'stopped', exitCode: null });
    if (server.crashed) {
      return Promise.resolve({ status: 'stopped', exitCode: FAKE_CRASH_EXIT_CODE, message: 'the fake server crashed' });
    }
    if (server.pollUnknown !== null) return Promise.resolve({ status: 'unknown', message: server.pollUnknown });
    return Promise.resolve({ status: 'running' });
  }

  /** Closes the server's HTTP server; a server already gone is fine. */
  async stop(handle: SpawnHandle, _opts: { timeoutSeconds: number }): Promise<void> {
    const id = handleId(handle);
    const server = id === null ? undefined : this.registry.get(id);
    if (server === undefined) return;
    this.registry.delete(server.id);
    await closeHttpServer(server.http);
  }

  /** The lines this spawner recorded for the server (see {@link logs}). */
  logTail(server: ServerLogRef, maxLines: number): Promise<string> {
    return Promise.resolve((this.logs.get(`${server.user}/${server.server}`) ?? []).slice(-maxLines).join('\n'));
  }

  /** Closes every server in the registry. */
  async close(): Promise<void> {
    await this.registry.closeAll();
  }

  /** The live (started, not stopped, not crashed) servers. */
  running(): readonly FakeServer[] {
    return this.registry.live();
  }

  /**
   * Makes a user's server go away as a crash would: its HTTP server closes and `poll` says
   * stopped. Resolves to whether such a live server existed.
   */
  async crash(userName: string, serverName = ''): Promise<boolean> {
    const server = this.registry.live().find((s) => s.request.user.name === userName && s.request.server.name === serverName);
    if (server === undefined) return false;
    await this.crashServer(server.id);
    return true;
  }

  private async crashServer(id: string): Promise<void> {
    const server = this.registry.get(id);
    if (server === undefined || server.crashed) return;
    server.crashed = true;
    await closeHttpServer(server.http);
  }

  private createHttpServer(id: string, crashAfterRequests: number | null): Server {
    let answered = 0;
    return createServer((req, res) => {
      res.on('finish', () => {
        answered += 1;
        if (crashAfterRequests !== null && answered >= crashAfterRequests) void this.crashServer(id);
      });
      const body = JSON.stringify({ fake: true, server: id, method: req.method, path: req.url });
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'X-JupyterHub-Version': this.version,
        Connection: 'close',
      });
      res.end(body);
    });
  }

  private listen(server: Server): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host: '127.0.0.1' }, () => {
        server.off('error', reject);
        const address = server.address();
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('the fake server has no port'));
      });
    });
  }
}
