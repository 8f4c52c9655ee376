/**
 * The spawn-progress page: a progress bar and a log driven by an inline script that follows the
 * hub's progress event stream (`EventSource`), redirects to the server when it is ready and shows
 * the failure otherwise. Without JavaScript the page refreshes itself every 10 s. A "Cancel start"
 * form cancels the start, e.g. a batch job still queued (`POST {hub}stop/<owner>[/<server>]`, as JupyterHub's "Stop server" button), and a
 * link opens the server's log (`{hub}logs/<owner>[/<server>]`).
 */
import { encodeSegment, html, raw, safeUrl } from './html';
import { renderLayout, type PageUser } from './layout';

/** View model of {@link renderSpawnPending}. */
export interface SpawnPendingView {
  readonly baseHubUrl: string;
  /** The signed-in user. */
  readonly user: PageUser;
  /** The server's owner when it is not the signed-in user (an admin watching). */
  readonly owner?: string;
  /** Server name; `''` = the default server. */
  readonly serverName: string;
  /** Path of the API progress stream, already including `?_xsrf=…`. */
  readonly progressUrl: string;
  /** Where to go once the server is ready. */
  readonly nextUrl: string;
  /** CSP nonce for the inline script, when the hub sends a Content-Security-Policy with nonces. */
  readonly nonce?: string;
  /** XSRF token for the "Stop server" form; without it the form is left out. */
  readonly xsrf?: string;
}

/**
 * The page script (static text: all data comes from `data-` attributes, so nothing is interpolated
 * into JavaScript). Event fields: `progress`, `message`, `html_message` (shown as text), `ready`, `failed`.
 */
export const SPAWN_PENDING_SCRIPT = `
(function () {
  'use strict';
  var root = document.getElementById('progress-root');
  if (!root || typeof EventSource === 'undefined') return;
  var track = document.getElementById('progress');
  var bar = document.getElementById('progress-bar');
  var log = document.getElementById('progress-log');
  var status = document.getElementById('progress-status');
  var failedBox = document.getElementById('progress-failed');
  var failedMessage = document.getElementById('progress-failed-message');
  var lostBox = document.getElementById('progress-lost');
  var nextUrl = root.getAttribute('data-next-url');
  var done = false;
  function textOf(ev) {
    if (typeof ev.message === 'string' && ev.message) return ev.message;
    if (typeof ev.html_message === 'string' && ev.html_message) {
      var doc = new DOMParser().parseFromString(ev.html_message, 'text/html');
      var drop = doc.querySelectorAll('script, style');
      for (var i = 0; i < drop.length; i++) drop[i].remove();
      return doc.body ? doc.body.textContent || '' : '';
    }
    return '';
  }
  function setProgress(value) {
    var p = Math.max(0, Math.min(100, Math.round(value)));
    bar.style.width = p + '%';
    track.setAttribute('aria-valuenow', String(p));
  }
  var source = new EventSource(root.getAttribute('data-progress-url'));
  source.onmessage = function (e) {
    var ev;
    try { ev = JSON.parse(e.data); } catch (err) { return; }
    if (!ev || typeof ev !== 'object') return;
    if (typeof ev.progress === 'number') setProgress(ev.progress);
    var text = textOf(ev);
    if (text) {
      var item = document.createElement('li');
      item.textContent = text;
      log.appendChild(item);
      log.scrollTop = log.scrollHeight;
      status.textContent = text;
    }
    if (ev.ready) {
      done = true;
      source.close();
      setProgress(100);
      status.textContent = 'Server ready. Redirecting…';
      window.location.replace(nextUrl);
    } else if (ev.failed) {
      done = true;
      source.close();
      bar.classList.add('failed');
      failedMessage.textContent = text || 'Spawn failed';
      failedBox.hidden = false;
    }
  };
  source.onerror = function () {
    if (!done && source.readyState === EventSource.CLOSED) lostBox.hidden = false;
  };
})();
`;

/** Renders the spawn-pending page. */
export function renderSpawnPending(view: SpawnPendingView): string {
  const owner = view.owner ?? view.user.name;
  const whose = owner === view.user.name ? 'your server' : `the server of ${owner}`;
  const label = view.serverName === '' ? whose : `${whose} “${view.serverName}”`;
  const head = html`<noscript><meta http-equiv="refresh" content="10"></noscript>`;
  const path = `${encodeSegment(owner)}${view.serverName === '' ? '' : `/${encodeSegment(view.serverName)}`}`;
  const stop =
    view.xsrf === undefined
      ? null
      : html`<form class="inline" method="post" action="${view.baseHubUrl}stop/${path}" id="stop-form"><input type="hidden" name="_xsrf" value="${view.xsrf}"><button type="submit" class="btn btn-danger" id="stop-server">Cancel start</button></form>`;
  const body = html`
    <section class="card" id="progress-root" data-progress-url="${safeUrl(view.progressUrl)}" data-next-url="${safeUrl(view.nextUrl)}">
      <h1>Starting ${label}</h1>
      <p class="muted">This can take a while when the cluster is busy. You will be taken to your server when it is ready.</p>
      <div class="progress" id="progress" role="progressbar" aria-label="Start progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0">
        <div class="progress-bar" id="progress-bar"></div>
      </div>
      <p class="small" id="progress-status" aria-live="polite">Waiting for the server to start…</p>
      <ul class="log" id="progress-log" aria-label="Start log"></ul>
      <div class="actions">
        ${stop}
        <a class="btn" id="server-log-link" href="${view.baseHubUrl}logs/${path}">View server log</a>
      </div>
      <div class="alert alert-error" role="alert" id="progress-failed" hidden>
        <p><strong>The server could not be started.</strong> <span id="progress-failed-message"></span></p>
        <p><a class="btn" href="${view.baseHubUrl}home" id="back-home">Back to home</a></p>
      </div>
      <div class="alert alert-warn" id="progress-lost" hidden>
        <p>Lost the connection to the progress stream. <a href="">Reload this page</a> or go <a href="${view.baseHubUrl}home">back to home</a>.</p>
      </div>
      <noscript>
        <div class="alert alert-info">
          <p>JavaScript is off, so progress cannot be shown here. This page reloads every 10 seconds;
            you can also <a href="${safeUrl(view.nextUrl)}">open the server</a> once it is ready.</p>
        </div>
      </noscript>
    </section>
    <script${view.nonce === undefined ? null : html` nonce="${view.nonce}"`}>${raw(SPAWN_PENDING_SCRIPT)}</script>`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Starting server', user: view.user, head, body });
}
