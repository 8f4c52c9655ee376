/**
 * The token page: request a new API token (note, lifetime), show a new token once in a copyable
 * box, list the user's tokens with revoke buttons.
 *
 * Form targets: `POST {hub}token` (fields `note`, `expires_in` = seconds or `''` for never, repeated
 * `scopes` = a subset of the offered ones, none = all of the user's own, `_xsrf`), answered by a
 * redirect back to the page, which then shows the new token once; `POST {hub}token/revoke` (fields
 * `id`, `_xsrf`).
 */
import { formatTime, html, raw, type SafeHtml } from './html';
import { describeScope } from './oauth-confirm';
import { renderLayout, type PageUser } from './layout';

/** One token in the list. */
export interface TokenRow {
  /** Token id, e.g. `a17`. */
  readonly id: string;
  readonly note: string | null;
  readonly created: string | null;
  readonly lastActivity: string | null;
  readonly expiresAt: string | null;
  readonly scopes: readonly string[];
  /** Description or id of the OAuth client that owns it (`jupyterhub` for API tokens). */
  readonly oauthClient: string;
}

/** View model of {@link renderTokenPage}. */
export interface TokenPageView {
  readonly baseHubUrl: string;
  readonly user: PageUser;
  readonly xsrf: string;
  readonly tokens: readonly TokenRow[];
  /** Scopes offered as checkboxes (the user's own); none ticked = all of them. */
  readonly scopeChoices?: readonly string[];
  /** A token just created: shown once. */
  readonly newToken?: string;
  /** CSP nonce for the inline copy script. */
  readonly nonce?: string;
}

/** Lifetimes offered by the form: `expires_in` value (seconds, `''` = never) and label. */
export const TOKEN_LIFETIMES: readonly (readonly [string, string])[] = [
  ['', 'Never'],
  ['3600', '1 hour'],
  ['86400', '1 day'],
  ['604800', '7 days'],
  ['2592000', '30 days'],
];

/** Static script of the copy button (no interpolation). */
export const COPY_SCRIPT = `
(function () {
  'use strict';
  var button = document.getElementById('copy-token');
  var code = document.getElementById('new-token');
  if (!button || !code || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(code.textContent || '').then(function () {
      button.textContent = 'Copied';
    }, function () {
      button.textContent = 'Copy failed: select the text';
    });
  });
})();
`;

function scopesCell(scopes: readonly string[]): SafeHtml {
  if (scopes.length === 0) return html`<span class="muted">none</span>`;
  const chips = html`<div class="chips">${scopes.map((s) => html`<span class="chip">${s}</span>`)}</div>`;
  return scopes.length <= 3 ? chips : html`<details><summary>${scopes.length} scopes</summary>${chips}</details>`;
}

function scopeField(choices: readonly string[]): SafeHtml {
  if (choices.length === 0) return html``;
  const boxes = choices.map(
    (scope, i) => html`<li><label class="check"><input type="checkbox" name="scopes" value="${scope}" id="token-scope-${i}"> ${describeScope(scope)}</label></li>`,
  );
  return html`<details class="token-scopes" id="token-scopes">
          <summary>Permissions: all of yours unless you limit them here</summary>
          <p class="hint">Tick only what the token needs. With nothing ticked the token can do everything you can.</p>
          <ul class="scope-list">${boxes}</ul>
        </details>`;
}

function row(view: TokenPageView, token: TokenRow): SafeHtml {
  return html`<tr data-token-id="${token.id}">
      <td>${token.note === null || token.note === '' ? html`<span class="muted">no note</span>` : token.note}<div class="small muted">${token.oauthClient}</div></td>
      <td>${scopesCell(token.scopes)}</td>
      <td class="hide-narrow">${formatTime(token.created, 'unknown')}</td>
      <td class="hide-narrow">${formatTime(token.lastActivity)}</td>
      <td>${formatTime(token.expiresAt)}</td>
      <td class="actions-cell">
        <form class="inline" method="post" action="${view.baseHubUrl}token/revoke">
          <input type="hidden" name="_xsrf" value="${view.xsrf}">
          <input type="hidden" name="id" value="${token.id}">
          <button type="submit" class="btn btn-danger btn-sm" id="revoke-${token.id}">Revoke</button>
        </form>
      </td>
    </tr>`;
}

/** Renders the token page. */
export function renderTokenPage(view: TokenPageView): string {
  const fresh =
    view.newToken === undefined || view.newToken === ''
      ? null
      : html`<div class="alert alert-ok" role="status" id="new-token-box">
        <p><strong>Your new API token.</strong> Copy it now: it will not be shown again.</p>
        <div class="codebox"><code id="new-token">${view.newToken}</code><button type="button" class="btn" id="copy-token" hidden>Copy</button></div>
      </div>
      <script${view.nonce === undefined ? null : html` nonce="${view.nonce}"`}>${raw(COPY_SCRIPT)}</script>`;
  const body = html`
    <h1>API tokens</h1>
    ${fresh}
    <section class="card" aria-labelledby="request-title">
      <h2 id="request-title">Request a new token</h2>
      <p class="muted small">Tokens let scripts and tools act as you through the hub's API. Treat them like passwords.</p>
      <form method="post" action="${view.baseHubUrl}token" id="token-form">
        <input type="hidden" name="_xsrf" value="${view.xsrf}">
        <div class="row">
          <div class="field">
            <label for="token-note">Note</label>
            <input type="text" id="token-note" name="note" maxlength="200" placeholder="What is this token for?">
          </div>
          <div class="field">
            <label for="token-expires">Expires in</label>
            <select id="token-expires" name="expires_in">${TOKEN_LIFETIMES.map(([value, label]) => html`<option value="${value}">${label}</option>`)}</select>
          </div>
          <div><button type="submit" class="btn btn-primary" id="request-token">Request token</button></div>
        </div>
        ${scopeField(view.scopeChoices ?? [])}
      </form>
    </section>
    <section class="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">Your tokens</h2>
      <div class="table-wrap">
        <table id="token-table">
          <thead><tr><th scope="col">Note / client</th><th scope="col">Scopes</th><th scope="col" class="hide-narrow">Created</th><th scope="col" class="hide-narrow">Last used</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${view.tokens.length === 0 ? html`<tr><td colspan="6" class="empty">You have no tokens.</td></tr>` : view.tokens.map((t) => row(view, t))}</tbody>
        </table>
      </div>
    </section>`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Tokens', user: view.user, current: 'token', body });
}
