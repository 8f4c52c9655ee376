/** The 424 page for a visit to a server that is not running: why it stopped, its last error, a link to start it. */
import { html, safeUrl } from './html';
import { renderLayout, type PageUser } from './layout';
import { stopReasonText } from './server-text';

/** View model of {@link renderNotRunning}. */
export interface NotRunningView {
  /** Hub prefix, e.g. `/hub/`. */
  readonly baseHubUrl: string;
  /** The signed-in user. */
  readonly user: PageUser;
  /** The server's owner when it is not the signed-in user (an admin visiting). */
  readonly owner?: string;
  /** Server name; `''` = the default server. */
  readonly serverName: string;
  /** Where the start link goes (e.g. `/hub/spawn/alice?next=…`). */
  readonly spawnUrl: string;
  /** Why it stopped (a stop reason such as `died`, `idle`), when known. */
  readonly stopReason?: string | null;
  /** The server's last status or error message (e.g. the exit code), when there is one. */
  readonly message?: string | null;
}

/** Renders the "server not running" page. */
export function renderNotRunning(view: NotRunningView): string {
  const owner = view.owner ?? view.user.name;
  const whose = owner === view.user.name ? html`Your server` : html`The server of <strong>${owner}</strong>`;
  const which = view.serverName === '' ? null : html` <strong class="mono">${view.serverName}</strong>`;
  const body = html`
    <div class="card center" id="not-running">
      <h1>Server not running</h1>
      <p>${whose}${which} is not running.</p>
      ${view.stopReason === undefined || view.stopReason === null ? null : html`<p id="stop-reason">It stopped because ${stopReasonText(view.stopReason)}.</p>`}
      ${view.message === undefined || view.message === null || view.message === '' ? null : html`<div class="alert alert-warn" id="last-error"><strong>Last message:</strong> <span class="mono small">${view.message}</span></div>`}
      <p class="muted">Start it to continue where you left off.</p>
      <div class="actions">
        <a class="btn btn-primary" id="start" href="${safeUrl(view.spawnUrl)}">Start server</a>
        <a class="btn" href="${view.baseHubUrl}home">Home</a>
      </div>
    </div>`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Server not running', user: view.user, narrow: true, body });
}
