/** The spawn-progress event stream (protocol.md §6) as tests read it. Test tooling. */

/** One progress event as sent on the wire. */
export interface ProgressEvent {
  progress?: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
}

/** Reads a progress stream until `stop` says so, the stream ends, or the deadline passes. */
export async function readProgress(
  url: string,
  token: string,
  stop: (state: { events: ProgressEvent[]; keepalives: number }) => boolean,
  deadlineMs = 30_000,
): Promise<{ status: number; contentType: string | null; cacheControl: string | null; events: ProgressEvent[]; keepalives: number; ended: boolean }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), deadlineMs);
  const state = { events: [] as ProgressEvent[], keepalives: 0 };
  let ended = false;
  const res = await fetch(url, { headers: { authorization: `token ${token}` }, signal: abort.signal });
  try {
    if (res.status !== 200 || !res.body) return { status: res.status, contentType: res.headers.get('content-type'), cacheControl: null, ...state, ended: true };
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!stop(state)) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) {
        ended = true;
        break;
      }
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (block === '') state.keepalives += 1;
        else if (block.startsWith('data: ')) state.events.push(JSON.parse(block.slice('data: '.length)) as ProgressEvent);
      }
    }
    return { status: res.status, contentType: res.headers.get('content-type'), cacheControl: res.headers.get('cache-control'), ...state, ended };
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
