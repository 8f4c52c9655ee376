/**
 * Cancellation helpers shared by the spawners: the error a cancelled start rejects with and an
 * abortable sleep. Self-contained on purpose: test/spawner-local-process.test.ts transpiles the
 * spawner files alone into a folder and runs them there, so nothing here imports from src/lib.
 */

/**
 * The error a start rejects with when its signal fires: `name` is `AbortError` (as `fetch` and
 * Node's own APIs use) and `cause` is the signal's reason (e.g. a TimeoutError).
 */
export function abortError(signal: AbortSignal, what = 'The start'): Error {
  const error = new Error(`${what} was aborted`, { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

/** Whether `error` is the kind {@link abortError} makes (or any other AbortError). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Resolves after `ms` milliseconds; with a signal, rejects with {@link abortError} as soon as it
 * fires (or at once if it already has).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      if (signal) reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
