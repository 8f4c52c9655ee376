/** A JSON API call for tests: token auth, JSON body, parsed reply. Test tooling. */

/** A reply as the tests read it. */
export interface ApiReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body, or undefined. */
  readonly json: unknown;
}

/** Sends `opts.body` as JSON with `Authorization: token <opts.token>` and parses the reply. */
export async function apiCall(url: string, opts: { method?: string; token?: string; body?: unknown } = {}): Promise<ApiReply> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `token ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
