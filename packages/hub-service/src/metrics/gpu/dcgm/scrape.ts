/**
 * One HTTP GET of an exporter's metrics text, bounded in time and size.
 */

/** The most text read from one exporter (a node with 8 GPUs and MIG serves well under 1 MiB). */
export const MAX_METRICS_BYTES = 8 * 1024 * 1024;

/** An error of any realm (fetch's errors are not `instanceof Error` everywhere, e.g. under jest). */
function isErrorLike(value: unknown): value is { readonly message: string; readonly cause?: unknown } {
  return typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string';
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GETs `url` and returns its body; rejects on a network error, a status other than 200, an answer
 * over {@link MAX_METRICS_BYTES}, or after `timeoutMs` in all.
 */
export async function fetchMetricsText(url: string, timeoutMs: number, maxBytes = MAX_METRICS_BYTES): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { signal, headers: { accept: 'text/plain' }, redirect: 'error' });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    return await readCapped(response, maxBytes);
  } catch (err) {
    if (signal.aborted) throw new Error(`no answer within ${timeoutMs} ms`);
    const cause = isErrorLike(err) && isErrorLike(err.cause) ? `: ${err.cause.message}` : '';
    throw new Error(`${isErrorLike(err) ? err.message : String(err)}${cause}`);
  }
}
