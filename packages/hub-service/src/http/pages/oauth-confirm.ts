/** The OAuth "Authorize access" page: lists what a client asks for and posts the consent back. */
import { SCOPE_TABLE, parseScope } from '@clusterhub/shared';
import { html, safeUrl, type SafeHtml } from './html';
import { renderLayout, type PageUser } from './layout';

/** View model of {@link renderOAuthConfirm}. */
export interface OAuthConfirmView {
  readonly baseHubUrl: string;
  readonly user: PageUser;
  /** The client's description, e.g. "Server at /user/alice/". */
  readonly clientDescription: string;
  /** The scopes to grant; posted back as repeated `scopes` fields. */
  readonly scopes: readonly string[];
  /** Where the form posts (the authorize URL with its query). */
  readonly actionUrl: string;
  readonly xsrf: string;
}

const FILTER_WORDS: Readonly<Record<string, string>> = { user: 'user', server: 'server', group: 'group', service: 'service' };

/** A readable line for one scope: its description and, when filtered, what it is limited to. */
export function describeScope(scope: string): SafeHtml {
  const parsed = parseScope(scope);
  const description = parsed === null ? undefined : SCOPE_TABLE[parsed.base]?.description;
  const limit =
    parsed?.kind === undefined ? null : html` <span class="muted">(only ${FILTER_WORDS[parsed.kind] ?? parsed.kind} <strong>${parsed.value ?? ''}</strong>)</span>`;
  return html`${description ?? scope}${limit}<br><span class="chip">${scope}</span>`;
}

/** Renders the consent page. */
export function renderOAuthConfirm(view: OAuthConfirmView): string {
  const body = html`
    <section class="card" id="oauth-confirm">
      <h1>Authorize access</h1>
      <p><strong id="oauth-client">${view.clientDescription}</strong> would like to act as <strong>${view.user.name}</strong> with these permissions:</p>
      ${view.scopes.length === 0
        ? html`<p class="muted">Only to know who you are.</p>`
        : html`<ul class="scope-list">${view.scopes.map((s) => html`<li>${describeScope(s)}</li>`)}</ul>`}
      <form method="post" action="${safeUrl(view.actionUrl)}" id="oauth-form">
        <input type="hidden" name="_xsrf" value="${view.xsrf}">
        ${view.scopes.map((s) => html`<input type="hidden" name="scopes" value="${s}">`)}
        <div class="actions">
          <button type="submit" class="btn btn-primary" id="authorize">Authorize</button>
          <a class="btn" href="${view.baseHubUrl}home" id="oauth-cancel">Cancel</a>
        </div>
      </form>
    </section>`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Authorize access', user: view.user, narrow: true, body });
}
