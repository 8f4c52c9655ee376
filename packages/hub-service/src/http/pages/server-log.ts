/** The server-log page: the last lines a user's server wrote (its owner and admins only). */
import { html } from './html';
import { renderLayout, type PageUser } from './layout';

/** View model of {@link renderServerLog}. */
export interface ServerLogView {
  readonly baseHubUrl: string;
  readonly user: PageUser;
  /** The server's owner. */
  readonly owner: string;
  /** `''` for the default server. */
  readonly serverName: string;
  /** The log's last lines; null when the backend keeps no log the hub can read. */
  readonly tail: string | null;
  /** How many lines at most {@link tail} holds. */
  readonly maxLines: number;
  /** This page's own URL (the Refresh link). */
  readonly selfUrl: string;
}

/** Renders the server-log page. */
export function renderServerLog(view: ServerLogView): string {
  const whose = view.owner === view.user.name ? 'your server' : `the server of ${view.owner}`;
  const label = view.serverName === '' ? whose : `${whose} “${view.serverName}”`;
  const content =
    view.tail === null
      ? html`<p class="muted" id="server-log-none">This backend keeps no log the hub can show.</p>`
      : view.tail === ''
        ? html`<p class="muted" id="server-log-empty">The log is empty so far.</p>`
        : html`<pre class="log-tail" id="server-log" tabindex="0">${view.tail}</pre>`;
  const body = html`
    <section class="card" aria-labelledby="server-log-title">
      <h1 id="server-log-title">Log of ${label}</h1>
      <p class="muted small">The last ${view.maxLines} lines at most, newest at the bottom.</p>
      ${content}
      <div class="actions">
        <a class="btn" id="server-log-refresh" href="${view.selfUrl}">Refresh</a>
        <a class="btn" href="${view.baseHubUrl}home">Back to home</a>
      </div>
    </section>`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Server log', user: view.user, body });
}
