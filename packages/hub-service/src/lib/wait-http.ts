import { request } from 'node:http';
import { sleep } from './sleep';

/**
 * Waits until `url` answers HTTP with a status below 500 (the hub's "wait-up" check of a started
 * server). Retries connection errors and 5xx with a growing delay (50 ms … 1 s) until `timeoutMs`
 * has passed or `signal` aborts. Resolves with the status; rejects with an Error on time-out.
 */
export async function waitForHttp(url: string, opts: { timeoutMs: number; signal?: AbortSignal; now?: () => number }): Promise<number> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.timeoutMs;
  let delay = 50;
  let lastError = 'no answer';
  while (now() < deadline) {
    opts.signal?.throwIfAborted();
    try {
      const status = await probe(url, Math.max(100, Math.min(5000, deadline - now())));
      if (status < 500) return status;
      lastError = `HTTP ${status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(Math.min(delay, Math.max(0, deadline - now())), opts.signal);
    delay = Math.min(delay * 2, 1000);
  }
  throw new Error(`Server at ${url} did not answer within ${Math.round(opts.timeoutMs / 1000)} s (${lastError})`);
}

function probe(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
