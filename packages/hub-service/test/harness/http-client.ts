/**
 * A small HTTP client for tests with a cookie jar and manual redirects, so a test can walk the
 * browser's OAuth dance step by step. Test tooling.
 */
import { CookieJar } from 'tough-cookie';
import { Agent, fetch as undiciFetch } from 'undici';

/** A response as the tests need it. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body (undefined when not JSON). */
  readonly json: unknown;
  readonly url: string;
}

/** A browser-like client: cookies kept per origin/path, redirects followed (or not) on request. */
export class BrowserClient {
  readonly jar = new CookieJar();
  /** With `ca`: HTTPS trusting that certificate only (a hub with hub.tls). */
  private readonly dispatcher: Agent | undefined;

  /** `ca`: the PEM certificate an HTTPS hub presents (self-signed in tests). */
  constructor(readonly options: { readonly ca?: string } = {}) {
    this.dispatcher = options.ca === undefined ? undefined : new Agent({ connect: { ca: options.ca } });
  }

  /** Sends a request; with `follow` (default true) follows up to 20 redirects, GET after 302/303. */
  async request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; follow?: boolean } = {}): Promise<TestResponse> {
    let current = url;
    let method = init.method ?? 'GET';
    let body = init.body;
    for (let hop = 0; hop < 20; hop += 1) {
      const cookie = await this.jar.getCookieString(current);
      const requestInit = { method, headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) }, body, redirect: 'manual' as const };
      const res = this.dispatcher === undefined ? await fetch(current, requestInit) : await undiciFetch(current, { ...requestInit, dispatcher: this.dispatcher });
      for (const set of res.headers.getSetCookie()) await this.jar.setCookie(set, current);
      const location = res.headers.get('location');
      if (init.follow !== false && location && res.status >= 300 && res.status < 400) {
        await res.arrayBuffer();
        current = new URL(location, current).toString();
        if (res.status !== 307 && res.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json, url: current };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** The value of a cookie visible at `url`. */
  async cookie(url: string, name: string): Promise<string | undefined> {
    return (await this.jar.getCookies(url)).find((c) => c.key === name)?.value;
  }

  /** Logs in through the hub's login form. */
  async login(baseUrl: string, username: string, password: string): Promise<TestResponse> {
    await this.request(`${baseUrl}/hub/login`);
    const xsrf = (await this.cookie(`${baseUrl}/hub/`, '_xsrf')) ?? '';
    const form = new URLSearchParams({ username, password, _xsrf: xsrf }).toString();
    return this.request(`${baseUrl}/hub/login?next=${encodeURIComponent('/hub/home')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
  }
}
