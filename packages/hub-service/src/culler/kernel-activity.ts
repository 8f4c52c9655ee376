/**
 * Busy kernels as activity, pure: Jupyter Server's `GET /api/kernels` lists each kernel with its
 * `execution_state` (`busy` while a cell runs). A silent long cell sends no messages after it
 * starts, so the activity a server reports stays at its start; the culler asks for the kernels of
 * a server it would stop as idle, and a busy one keeps the server (docs/culler.md).
 */

/** What a server's kernel list says: some kernel is busy, none is, or the answer is not a kernel list. */
export type KernelsVerdict = 'busy' | 'idle' | 'unknown';

/** Reads the JSON answer of `GET /api/kernels`. */
export function kernelsVerdict(body: unknown): KernelsVerdict {
  if (!Array.isArray(body)) return 'unknown';
  let known = true;
  for (const kernel of body as unknown[]) {
    const state = typeof kernel === 'object' && kernel !== null ? (kernel as Record<string, unknown>)['execution_state'] : undefined;
    if (state === 'busy') return 'busy';
    if (typeof state !== 'string') known = false;
  }
  return known ? 'idle' : 'unknown';
}
