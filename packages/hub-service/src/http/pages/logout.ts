/** The page shown after logging out. */
import { html } from './html';
import { renderLayout } from './layout';

/** View model of {@link renderLoggedOut}. */
export interface LoggedOutView {
  /** Hub prefix, e.g. `/hub/`. */
  readonly baseHubUrl: string;
}

/** Renders the "you have been logged out" page with a link back to the login page. */
export function renderLoggedOut(view: LoggedOutView): string {
  const body = html`
    <div class="card center">
      <h1>Signed out</h1>
      <p class="muted">You have been logged out of clusterhub and of your servers.</p>
      <div class="actions">
        <a class="btn btn-primary" id="login-again" href="${view.baseHubUrl}login">Sign in again</a>
      </div>
    </div>`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Signed out', narrow: true, body });
}
