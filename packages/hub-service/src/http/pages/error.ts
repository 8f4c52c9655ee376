/** Error pages, including the proxy's error target (`{hub}error/503`: "your server appears to be down"). */
import { html, safeUrl } from './html';
import { renderLayout, type PageUser } from './layout';

/** View model of {@link renderError}. */
export interface ErrorView {
  /** Hub prefix, e.g. `/hub/`. */
  readonly baseHubUrl: string;
  /** HTTP status code shown on the page. */
  readonly status: number;
  /** What went wrong; `''` uses a default text for the status. */
  readonly message: string;
  /** The signed-in user, when known. */
  readonly user?: PageUser;
  /** Try this URL again after `seconds` (the proxy's error target: the server may come back). */
  readonly retry?: { readonly url: string; readonly seconds: number };
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  424: 'Server not running',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  403: 'You do not have permission to see this page.',
  404: 'The page you asked for does not exist.',
  429: 'Too many requests right now. Please wait a moment and try again.',
  500: 'Something went wrong on our side.',
  502: 'Your server did not answer properly.',
  503: 'Your server appears to be down. It may have stopped, or be restarting.',
  504: 'Your server took too long to answer.',
};

/** The reason phrase of an HTTP status ("Not found"), or "Error". */
export function statusReason(status: number): string {
  return REASONS[status] ?? 'Error';
}

/** Renders an error page with the status, its reason, the message and a way home. */
export function renderError(view: ErrorView): string {
  const reason = statusReason(view.status);
  const message = view.message !== '' ? view.message : (DEFAULT_MESSAGES[view.status] ?? 'An error occurred.');
  const proxyDown = view.status === 502 || view.status === 503 || view.status === 504;
  const home = view.user === undefined ? `${view.baseHubUrl}login` : `${view.baseHubUrl}home`;
  const retry = view.retry === undefined || safeUrl(view.retry.url) === '#' ? null : { url: safeUrl(view.retry.url), seconds: Math.max(1, Math.round(view.retry.seconds)) };
  const body = html`
    <div class="card center" id="error-page">
      <div class="big-status" id="error-status">${view.status}</div>
      <h1>${reason}</h1>
      <p id="error-message">${message}</p>
      ${proxyDown ? html`<p class="muted small">You can check on it and restart it from your home page.</p>` : null}
      ${retry === null ? null : html`<p class="small" id="error-retry">Trying again in ${retry.seconds} seconds… <a href="${retry.url}">try now</a></p>`}
      <div class="actions">
        <a class="btn btn-primary" id="error-home" href="${home}">${view.user === undefined ? 'Sign in' : 'Back to home'}</a>
      </div>
    </div>`;
  const head = retry === null ? undefined : html`<meta http-equiv="refresh" content="${retry.seconds};url=${retry.url}">`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: `${view.status} ${reason}`, user: view.user, narrow: true, head, body });
}
