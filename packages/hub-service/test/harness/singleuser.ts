/**
 * Helpers for tests that run the real jupyterhub-singleuser through a test hub: JSON API calls,
 * bounded polling, starting a server and waiting until it is ready, reading its process id, the
 * JupyterLab page config, and a small Jupyter kernel-channel client over WebSocket. Test tooling.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import WebSocket from 'ws';
import type { ServerModel } from '@clusterhub/shared';
import type { TestHub } from './hub-harness';
import type { BrowserClient, TestResponse } from './http-client';

/** How long a real server start may take on a slow, 2-core machine. */
export const SERVER_READY_DEADLINE_MS = 90_000;

/** A JSON API answer. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  readonly body: unknown;
}

/** Calls `url` with `Authorization: token <token>` and an optional JSON body. */
export async function apiCall(url: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResponse> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `token ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body };
}

/** Narrows `value` to a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined; throws naming
 * `what` (and the last probe error, if any) when `timeoutMs` passes first.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : `: ${String(lastError)}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The server `serverName` of `user` as the admin sees it (with spawner state), or undefined. */
export async function serverModel(t: TestHub, user: string, opts: { includeStopped?: boolean; serverName?: string } = {}): Promise<ServerModel | undefined> {
  const query = opts.includeStopped ? '?include_stopped_servers=1' : '';
  const res = await apiCall(`${t.apiUrl}/users/${user}${query}`, t.adminToken);
  if (res.status !== 200 || !isRecord(res.body) || !isRecord(res.body['servers'])) throw new Error(`GET /users/${user}: ${res.status}`);
  const server = res.body['servers'][opts.serverName ?? ''];
  return isRecord(server) ? (server as unknown as ServerModel) : undefined;
}

/** Starts `user`'s default server with `token` and waits until the hub reports it ready. */
export async function startServerAndWait(t: TestHub, user: string, token: string): Promise<ServerModel> {
  const res = await apiCall(`${t.apiUrl}/users/${user}/server`, token, { method: 'POST', body: {} });
  if (res.status !== 201 && res.status !== 202) throw new Error(`start of ${user}'s server answered ${res.status}: ${JSON.stringify(res.body)}`);
  return waitForReady(t, user);
}

/** Polls the admin API until `user`'s default server is ready; fails early when it stopped or failed. */
export async function waitForReady(t: TestHub, user: string): Promise<ServerModel> {
  return pollUntil(
    `${user}'s server to be ready`,
    async () => {
      const model = await serverModel(t, user, { includeStopped: true });
      if (model?.lifecycle === 'failed' || model?.lifecycle === 'stopped') {
        throw new Error(`${user}'s server is ${model.lifecycle}: ${model.message ?? ''}`);
      }
      return model?.ready ? model : undefined;
    },
    SERVER_READY_DEADLINE_MS,
    500,
  );
}

/**
 * Cleanup for afterAll: stops `user`'s default server through the API (`user` as it goes into the
 * URL) and waits until it is gone (bounded); never throws. A server outlives its hub otherwise.
 */
export async function stopServerQuietly(t: TestHub, user: string): Promise<void> {
  const stop = await apiCall(`${t.apiUrl}/users/${user}/server`, t.adminToken, { method: 'DELETE' }).catch(() => null);
  if (stop?.status === 202) await pollUntil(`${user} to stop`, async () => ((await serverModel(t, user)) ? undefined : true), 30_000).catch(() => undefined);
}

/** The process id recorded in a server's spawner state (admin view). */
export function serverPid(model: ServerModel): number {
  const pid = model.state?.['pid'];
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) throw new Error(`no pid in the server state ${JSON.stringify(model.state)}`);
  return pid;
}

/** True while a process with `pid` exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs the process group led by `pid` (a local server leads its own group); ignores a gone group. */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** SIGKILLs process `pid` only while its command line still contains `needle` (guards against a reused pid). */
export function killIfCommand(pid: number, needle: string): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) return;
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** One HTTP exchange with node:http (fetch always sends `Sec-Fetch-Mode: cors`, which a navigation never does). */
function send(url: string, method: string, headers: Record<string, string>, body: string | undefined, ca?: string): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { method, headers, timeout: 60_000, ...(ca === undefined ? {} : { ca }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.append(name, v);
        }
        resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A top-level browser navigation with `client`'s cookie jar: sends `Sec-Fetch-Mode: navigate` like a
 * browser does for page loads (jupyterhub-singleuser accepts its cookie on such GETs without an XSRF
 * token, but not on script fetches), and follows redirects unless `follow` is false (GET after 302/303).
 */
export async function navigate(
  client: BrowserClient,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; follow?: boolean } = {},
): Promise<TestResponse> {
  let current = url;
  let method = init.method ?? 'GET';
  let body = init.body;
  for (let hop = 0; hop < 20; hop += 1) {
    const cookie = await client.jar.getCookieString(current);
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      ...(init.headers ?? {}),
      ...(cookie ? { cookie } : {}),
      ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
    };
    const res = await send(current, method, headers, body, client.options.ca);
    for (const set of res.headers.getSetCookie()) await client.jar.setCookie(set, current);
    const location = res.headers.get('location');
    if (init.follow !== false && location && res.status >= 300 && res.status < 400) {
      current = new URL(location, current).toString();
      if (res.status !== 307 && res.status !== 308) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text: res.text, json, url: current };
  }
  throw new Error(`too many redirects from ${url}`);
}

/** The JupyterLab page config (`<script id="jupyter-config-data">`) of a Lab page. */
export function labPageConfig(html: string): Record<string, unknown> {
  const match = /<script id="jupyter-config-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('no jupyter-config-data in the page');
  const parsed: unknown = JSON.parse(match[1]);
  if (!isRecord(parsed)) throw new Error('jupyter-config-data is not an object');
  return parsed;
}

/** A Jupyter message as sent over the kernel channels WebSocket (legacy JSON framing). */
export interface KernelMessage {
  readonly channel: string;
  readonly header: { readonly msg_id: string; readonly msg_type: string };
  readonly parent_header: { readonly msg_id?: string };
  readonly content: Record<string, unknown>;
}

function isKernelMessage(value: unknown): value is KernelMessage {
  return isRecord(value) && typeof value['channel'] === 'string' && isRecord(value['header']) && isRecord(value['parent_header']) && isRecord(value['content']);
}

/** A connection to `/api/kernels/<id>/channels` (JSON messages, no subprotocol). */
export class KernelChannel {
  private readonly session = randomUUID();
  private readonly received: KernelMessage[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
      } catch {
        return;
      }
      if (!isKernelMessage(parsed)) return;
      this.received.push(parsed);
      for (const wake of this.waiters) wake();
    });
  }

  /** Opens the channels of kernel `kernelId` under `serverUrl` (e.g. `http://127.0.0.1:8000/user/alice/`); `ca` for an HTTPS hub. */
  static async open(serverUrl: string, kernelId: string, token: string, timeoutMs = 60_000, ca?: string): Promise<KernelChannel> {
    const url = `${serverUrl.replace(/^http/, 'ws')}api/kernels/${kernelId}/channels?session_id=${randomUUID()}`;
    const ws = new WebSocket(url, { headers: { authorization: `token ${token}` }, handshakeTimeout: timeoutMs, ...(ca === undefined ? {} : { ca }) });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`websocket upgrade answered ${res.statusCode ?? '?'}`)));
    });
    return new KernelChannel(ws);
  }

  /** Sends a request on `channel` and returns its message id. */
  send(channel: 'shell' | 'control', msgType: string, content: Record<string, unknown>): string {
    const msgId = randomUUID();
    const header = { msg_id: msgId, msg_type: msgType, username: 'test', session: this.session, date: new Date().toISOString(), version: '5.3' };
    this.ws.send(JSON.stringify({ channel, header, parent_header: {}, metadata: {}, content, buffers: [] }));
    return msgId;
  }

  /** Waits for a message of `msgType` whose parent is `parentId`. */
  async waitFor(parentId: string, msgType: string, timeoutMs = 60_000): Promise<KernelMessage> {
    const find = (): KernelMessage | undefined => this.received.find((m) => m.parent_header.msg_id === parentId && m.header.msg_type === msgType);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      if (this.ws.readyState !== WebSocket.OPEN) throw new Error(`websocket closed while waiting for ${msgType}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${msgType}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(remaining, 1000));
        this.waiters.add(wake);
      });
    }
  }

  /** Sends `code` as an execute_request and returns the `text/plain` of its execute_result. */
  async execute(code: string): Promise<string> {
    const id = this.send('shell', 'execute_request', { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const result = await this.waitFor(id, 'execute_result');
    const data = result.content['data'];
    const text = isRecord(data) ? data['text/plain'] : undefined;
    if (typeof text !== 'string') throw new Error(`execute_result without text/plain: ${JSON.stringify(result.content)}`);
    return text;
  }

  /** Closes the socket and waits until it is closed (bounded). */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 5000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close();
    });
  }
}

/** Starts a kernel on `serverUrl` (e.g. `<publicUrl>/user/alice/`) with token auth; returns its id. */
export async function startKernel(serverUrl: string, token: string): Promise<string> {
  const res = await apiCall(`${serverUrl}api/kernels`, token, { method: 'POST', body: {} });
  if (res.status !== 201 || !isRecord(res.body) || typeof res.body['id'] !== 'string') throw new Error(`POST api/kernels answered ${res.status}`);
  return res.body['id'];
}
