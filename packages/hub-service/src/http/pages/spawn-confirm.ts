/**
 * "Start this server?" — shown instead of starting a server when a GET of `{hub}spawn/…` did not
 * come from the user's own navigation (a link on another site, or a page under someone's
 * `/user/<name>/`): a GET never changes state on its behalf. The form POSTs the same options back
 * to the same URL with the `_xsrf` token, which starts the server.
 */
import { html } from './html';
import { renderLayout, type PageUser } from './layout';

/** View model of {@link renderSpawnConfirm}. */
export interface SpawnConfirmView {
  /** Hub prefix, e.g. `/hub/`. */
  readonly baseHubUrl: string;
  /** The signed-in user. */
  readonly user: PageUser;
  /** The server's owner. */
  readonly owner: string;
  /** Server name; `''` = the default server. */
  readonly serverName: string;
  /** The requested profile's display name and slug, or null for the default. */
  readonly profile: { readonly slug: string; readonly displayName: string } | null;
  /** Form action: the spawn URL, with `?next=…` when one was given (already a local path). */
  readonly action: string;
  /** The `_xsrf` form token. */
  readonly xsrf: string;
}

/** Renders the spawn confirmation page. */
export function renderSpawnConfirm(view: SpawnConfirmView): string {
  const whose = view.owner === view.user.name ? html`your server` : html`the server of <strong>${view.owner}</strong>`;
  const which = view.serverName === '' ? null : html` <strong class="mono">${view.serverName}</strong>`;
  const profile = view.profile === null ? null : html` with profile <strong>${view.profile.displayName}</strong> (<span class="mono">${view.profile.slug}</span>)`;
  const body = html`
    <div class="card center" id="spawn-confirm">
      <h1>Start server?</h1>
      <p>A link asked to start ${whose}${which}${profile}.</p>
      <p class="muted">Start it only if you followed this link on purpose.</p>
      <form method="post" action="${view.action}" id="spawn-confirm-form">
        <input type="hidden" name="_xsrf" value="${view.xsrf}">
        ${view.profile === null ? null : html`<input type="hidden" name="profile" value="${view.profile.slug}">`}
        <div class="actions">
          <button type="submit" class="btn btn-primary" id="start">Start server</button>
          <a class="btn" href="${view.baseHubUrl}home" id="cancel">Cancel</a>
        </div>
      </form>
    </div>`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Start server?', user: view.user, narrow: true, body });
}
