/**
 * The common page frame: doctype, head (viewport, stylesheet), the "clusterhub" header with the
 * signed-in user's name and the Home · Token · (Admin) · Logout links, and one `<main>`.
 */
import { html, type SafeHtml } from './html';

/** The signed-in user as the pages see it. */
export interface PageUser {
  readonly name: string;
  readonly admin?: boolean;
}

/** Input of {@link renderLayout}. */
export interface LayoutView {
  /** The hub prefix, e.g. `/hub/`; links and the stylesheet hang off it. */
  readonly baseHubUrl: string;
  /** Page title (before " · clusterhub"). */
  readonly title: string;
  /** The signed-in user; omitted on login, logout and anonymous error pages. */
  readonly user?: PageUser;
  /** Which nav entry to mark as the current page. */
  readonly current?: 'home' | 'token' | 'admin';
  /** A narrow centred column (login, logout, small dialogs). */
  readonly narrow?: boolean;
  /** Extra elements for `<head>` (e.g. a `<noscript>` refresh). */
  readonly head?: SafeHtml;
  /** The page content, placed inside `<main>`. */
  readonly body: SafeHtml;
}

/** URL of the stylesheet (the CSS text is `HUB_CSS` in style.ts). */
export function stylesheetUrl(baseHubUrl: string): string {
  return `${baseHubUrl}static/clusterhub.css`;
}

function nav(view: LayoutView): SafeHtml {
  const user = view.user;
  if (user === undefined) return html``;
  const current = (page: LayoutView['current']): SafeHtml | null => (view.current === page ? html` aria-current="page"` : null);
  return html`<nav class="site-nav" aria-label="Main">
      <span class="who" id="user-name" title="Signed in as ${user.name}">${user.name}</span>
      <a href="${view.baseHubUrl}home"${current('home')}>Home</a>
      <a href="${view.baseHubUrl}token"${current('token')}>Token</a>
      ${user.admin === true ? html`<a href="${view.baseHubUrl}admin" id="nav-admin"${current('admin')}>Admin</a>` : null}
      <a href="${view.baseHubUrl}logout" id="logout">Logout</a>
    </nav>`;
}

/** Renders a full HTML document around `view.body`. */
export function renderLayout(view: LayoutView): string {
  const home = view.user === undefined ? `${view.baseHubUrl}login` : `${view.baseHubUrl}home`;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="same-origin">
  <title>${view.title} · clusterhub</title>
  <link rel="stylesheet" href="${stylesheetUrl(view.baseHubUrl)}">
  ${view.head}
</head>
<body>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="site-header">
    <div class="inner">
      <a class="brand" href="${home}"><span class="brand-mark" aria-hidden="true"></span>clusterhub</a>
      ${nav(view)}
    </div>
  </header>
  <main id="main"${view.narrow === true ? html` class="narrow"` : null}>
${view.body}
  </main>
</body>
</html>
`.value;
}
