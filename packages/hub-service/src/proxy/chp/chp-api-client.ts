import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProxyError } from '../proxy';
import type { ProxyLogger } from '../proxy-deps';
import { ConcurrencyLimit } from './concurrency-limit';

/** Options of {@link ChpApiClient}. */
export interface ChpApiClientOptions {
  /** Base URL of CHP's API, e.g. `http://127.0.0.1:8001` (a path, if any, is kept as a prefix). */
  readonly apiUrl: string;
  /** CONFIGPROXY_AUTH_TOKEN; sent as `Authorization: token <t>` (CHP refuses `Bearer`). */
  readonly authToken: string;
  readonly logger: ProxyLogger;
  /** Time limit of one attempt (ms). */
  readonly timeoutMs: number;
  /** Connection errors and 5xx are retried with back-off until this much time has passed (ms). */
  readonly retryBudgetMs: number;
  /** At most this many requests in flight. */
  readonly maxConcurrency: number;
  /** Largest response body accepted (bytes). */
  readonly maxResponseBytes: number;
}

/** A CHP API answer. */
export interface ChpResponse {
  readonly status: number;
  readonly body: string;
}

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

/** Raised for a retryable failure (connection error, timeout, 5xx). */
class RetryableFailure extends Error {}

/**
 * Low-level client of configurable-http-proxy's REST API: token auth, per-attempt timeout,
 * bounded retries with capped exponential back-off, and a concurrency cap. Returns every non-5xx
 * answer to the caller, which decides what a status means.
 */
export class ChpApiClient {
  private readonly options: ChpApiClientOptions;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly limit: ConcurrencyLimit;

  /** @param options API location, token, logger and limits. */
  constructor(options: ChpApiClientOptions) {
    this.options = options;
    this.base = new URL(options.apiUrl);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new RangeError(`Invalid CHP api_url ${options.apiUrl}: only http and https are supported`);
    }
    const AgentClass = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: options.maxConcurrency, timeout: 30_000 });
    this.limit = new ConcurrencyLimit(options.maxConcurrency);
  }

  /**
   * Sends one API request, retrying connection errors and 5xx within the retry budget.
   * Rejects with ProxyError when the budget is spent or `signal` aborts.
   */
  async request(method: string, apiPath: string, body?: unknown, signal?: AbortSignal): Promise<ChpResponse> {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let delay = FIRST_BACKOFF_MS;
    for (let attempt = 1; ; attempt++) {
      let failure: Error;
      try {
        const response = await this.limit.run(() => this.attempt(method, apiPath, payload, signal));
        if (response.status < 500) return response;
        failure = new RetryableFailure(`HTTP ${response.status}: ${response.body.slice(0, 200)}`);
      } catch (error) {
        if (signal?.aborted === true) throw new ProxyError(`CHP ${method} ${apiPath} aborted`);
        if (error instanceof ProxyError) throw error;
        failure = error instanceof Error ? error : new Error(String(error));
      }
      const elapsed = performance.now() - started;
      if (elapsed + delay > this.options.retryBudgetMs) {
        throw new ProxyError(`CHP ${method} ${apiPath} failed after ${attempt} attempt(s): ${failure.message}`);
      }
      this.options.logger.debug({ method, apiPath, attempt, err: failure.message }, 'retrying CHP API request');
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        throw new ProxyError(`CHP ${method} ${apiPath} aborted`);
      }
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    }
  }

  /** Closes idle keep-alive connections to the API. */
  close(): void {
    this.agent.destroy();
  }

  private attempt(method: string, apiPath: string, payload: string | undefined, signal?: AbortSignal): Promise<ChpResponse> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + apiPath, this.base);
    const headers: http.OutgoingHttpHeaders = { authorization: `token ${this.options.authToken}`, accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const timeoutSignal = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal === undefined ? timeoutSignal : AbortSignal.any([signal, timeoutSignal]);
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<ChpResponse>((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.agent, signal: combined }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.options.maxResponseBytes) {
            res.destroy(new ProxyError(`CHP response to ${method} ${apiPath} exceeds ${this.options.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(error instanceof ProxyError ? error : new RetryableFailure(error.message)));
      });
      req.on('error', (error) => {
        const reason = timeoutSignal.aborted ? `timed out after ${this.options.timeoutMs} ms` : error.message;
        reject(new RetryableFailure(reason));
      });
      req.end(payload);
    });
  }
}
