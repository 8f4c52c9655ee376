/** A JSON API call for tests: token auth, JSON body, parsed reply, redirects not followed. Test tooling. */

/** A reply as the tests read it. */
export interface ApiReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body, or undefined. */
  readonly json: unknown;
}

/** Options of {@link apiCall}: `headers` first, then `token` (as `Authorization: token …`) and the JSON body's content type. */
export interface ApiCallOptions {
  readonly method?: string;
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends `opts.body` as JSON with `Authorization: token <opts.token>` and parses the reply. */
export async function apiCall(url: string, opts: ApiCallOptions = {}): Promise<ApiReply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `token ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The `code` of an API error body, or undefined. */
export function errorCode(reply: { readonly json: unknown }): unknown {
  return (reply.json as { code?: unknown } | undefined)?.code;
}
