/**
 * The one fetch helper every hub call goes through: it builds the URL from the hub prefix and the
 * shared API paths, authenticates, applies a timeout, maps failures to the client's error classes
 * and validates the body before returning it. Pure: the connection (page config, cookies, fetch)
 * is injected, so this file has no JupyterLab imports and runs under jest.
 *
 * Authentication: the user's hub token from Lab's page config goes in `Authorization: token <t>`
 * (jupyterhub-singleuser puts the token the browser logged in with there). The hub's cookie is
 * also sent (`credentials: 'same-origin'`) with its XSRF token in `X-XSRFToken` whenever the `_xsrf`
 * cookie is readable from this page; that is the fallback when there is no token.
 */
import { apiRoot } from '@clusterhub/shared';
import { HubNetworkError, HubNotConfiguredError, HubRequestError, HubResponseShapeError } from './errors';
import { isApiErrorBody, isObject } from './guards';

/** The subset of `fetch` the client uses (the browser's `window.fetch` or Node's global one). */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** Everything the client needs to reach the hub; built from Lab's page config by the plugin. */
export interface IHubConnection {
  /** Scheme and host of the hub when it is on another origin (page config `hubHost`), else `''`. */
  readonly hubHost: string;
  /** The hub's URL prefix (page config `hubPrefix`), e.g. `/hub/` or `/base/hub/`; `''` without a hub. */
  readonly hubPrefix: string;
  /** The user's hub API token (page config `token`), or `''` when there is none. */
  readonly token: string;
  /** Returns the hub's XSRF token (the `_xsrf` cookie) when this page can read it, else null. */
  readonly xsrfToken: () => string | null;
  /** The fetch implementation. */
  readonly fetch: FetchFunction;
  /** How long one request may take, body included, in milliseconds. */
  readonly timeoutMs: number;
}

/** One request through {@link hubRequest}. */
export interface IHubRequest<T> {
  /** Path below the API root, from the shared api-paths (e.g. `userPath('alice')`). */
  readonly path: string;
  /** HTTP method (default `GET`). */
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** JSON body, for methods that send one. */
  readonly body?: unknown;
  /** Narrows the parsed JSON body to `T`; a body that fails it is a {@link HubResponseShapeError}. */
  readonly validate: (value: unknown) => value is T;
  /** Cancels the request; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * The deployment base URL (`/`, `/base/`) of a hub prefix (`/hub/`, `/base/hub/`).
 *
 * @throws HubNotConfiguredError when the prefix is empty or does not end in `hub/`.
 */
export function baseUrlOfHubPrefix(hubPrefix: string): string {
  const prefix = hubPrefix.endsWith('/') ? hubPrefix : `${hubPrefix}/`;
  if (!hubPrefix || !prefix.startsWith('/') || !prefix.endsWith('/hub/')) {
    throw new HubNotConfiguredError(
      hubPrefix
        ? `The hub prefix "${hubPrefix}" in the page config does not end in "/hub/".`
        : 'Its page config has no hub prefix, so there is no hub to ask.',
    );
  }
  return prefix.slice(0, -'hub/'.length);
}

/**
 * The absolute (with `hubHost`) or origin-relative URL of an API path, e.g.
 * `/hub/api/users/alice`.
 *
 * @throws HubNotConfiguredError when the connection has no usable hub prefix.
 */
export function hubApiUrl(connection: Pick<IHubConnection, 'hubHost' | 'hubPrefix'>, path: string): string {
  const host = connection.hubHost.replace(/\/+$/, '');
  return `${host}${apiRoot(baseUrlOfHubPrefix(connection.hubPrefix))}${path.startsWith('/') ? path : `/${path}`}`;
}

/** The request headers for a connection: Accept, and the token and XSRF headers when available. */
export function requestHeaders(connection: Pick<IHubConnection, 'token' | 'xsrfToken'>, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (hasBody) headers['Content-Type'] = 'application/json';
  if (connection.token) headers['Authorization'] = `token ${connection.token}`;
  const xsrf = connection.xsrfToken();
  if (xsrf) headers['X-XSRFToken'] = xsrf;
  return headers;
}

/** Parses a body as JSON; undefined when it is empty or not JSON. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The error for a non-2xx answer: the hub's `{ code, message }`, JupyterHub's `{ message }`, or the status line. */
export function errorFromResponse(status: number, statusText: string, body: unknown): HubRequestError {
  if (isApiErrorBody(body)) {
    return new HubRequestError({ status, code: body.code, message: body.message, details: body.details ?? null });
  }
  const message = isObject(body) && typeof body['message'] === 'string' && body['message'] ? body['message'] : `${status} ${statusText}`.trim();
  return new HubRequestError({ status, code: null, message });
}

/**
 * Sends one request to the hub API and returns the validated JSON body.
 *
 * @throws HubNotConfiguredError when the page has no hub prefix (nothing is sent).
 * @throws HubRequestError when the hub answers with a non-2xx status.
 * @throws HubNetworkError when the request fails without an answer or runs past `timeoutMs`.
 * @throws HubResponseShapeError when a 2xx body is not JSON of the expected shape.
 * @throws the signal's reason when `request.signal` aborts.
 */
export async function hubRequest<T>(connection: IHubConnection, request: IHubRequest<T>): Promise<T> {
  const method = request.method ?? 'GET';
  const url = hubApiUrl(connection, request.path);
  const what = `${method} ${url}`;
  request.signal?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, connection.timeoutMs);
  const onAbort = (): void => controller.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  let status: number;
  let statusText: string;
  let text: string;
  try {
    const response = await connection.fetch(url, {
      method,
      headers: requestHeaders(connection, request.body !== undefined),
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
    status = response.status;
    statusText = response.statusText;
    text = await response.text();
  } catch (err) {
    if (request.signal?.aborted) throw request.signal.reason;
    const reason = timedOut ? `timed out after ${connection.timeoutMs} ms` : err instanceof Error ? err.message : String(err);
    throw new HubNetworkError(`No answer from the hub to ${what}: ${reason}`, { timedOut, cause: err });
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
  const body = parseJson(text);
  if (status < 200 || status > 299) throw errorFromResponse(status, statusText, body);
  if (!request.validate(body)) {
    throw new HubResponseShapeError(`Unexpected answer from the hub to ${what}: the body is not the expected JSON.`);
  }
  return body;
}
