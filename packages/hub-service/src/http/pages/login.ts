/** The login page: username/password form posting to `{hub}login?next=…`, or a "Sign in with …" button for a provider login. */
import { html, type SafeHtml } from './html';
import { renderLayout } from './layout';

/** View model of {@link renderLogin}. */
export interface LoginView {
  /** Hub prefix, e.g. `/hub/`. */
  readonly baseHubUrl: string;
  /** Where to go after login (already validated as a local path by the caller); `''` for none. */
  readonly next: string;
  /** Pre-filled user name (after a failed attempt). */
  readonly username?: string;
  /** Error from the last attempt, shown in an alert. */
  readonly error?: string;
  /** The `_xsrf` form token. */
  readonly xsrf: string;
  /** Sign in at an external provider: a button (label and link) instead of the password form. */
  readonly provider?: { readonly label: string; readonly href: string };
}

/** Renders the login page. */
export function renderLogin(view: LoginView): string {
  const action = view.next === '' ? `${view.baseHubUrl}login` : `${view.baseHubUrl}login?next=${encodeURIComponent(view.next)}`;
  const hasName = view.username !== undefined && view.username !== '';
  const passwordForm = view.provider ? null : renderPasswordForm(view, action, hasName);
  const body = html`
    <div class="card">
      <h1>Sign in</h1>
      ${view.error !== undefined && view.error !== '' ? html`<div class="alert alert-error" role="alert" id="login-error">${view.error}</div>` : null}
      ${view.provider ? html`<div class="actions"><a class="btn btn-primary btn-block" id="login_provider" href="${view.provider.href}">${view.provider.label}</a></div>` : passwordForm}
    </div>`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Sign in', narrow: true, body });
}

/** The username/password form of {@link renderLogin}. */
function renderPasswordForm(view: LoginView, action: string, hasName: boolean): SafeHtml {
  return html`
      <form method="post" action="${action}" id="login-form">
        <input type="hidden" name="_xsrf" value="${view.xsrf}">
        <div class="field">
          <label for="username_input">Username</label>
          <input type="text" id="username_input" name="username" value="${view.username ?? ''}" autocomplete="username"
            autocapitalize="none" autocorrect="off" spellcheck="false" required${hasName ? null : html` autofocus`}>
        </div>
        <div class="field">
          <label for="password_input">Password</label>
          <input type="password" id="password_input" name="password" autocomplete="current-password"${hasName ? html` autofocus` : null}>
        </div>
        <div class="actions">
          <button type="submit" class="btn btn-primary btn-block" id="login_submit">Sign in</button>
        </div>
      </form>`;
}
