/**
 * The home page (control panel): the default server's card (start with a profile, open, stop,
 * progress link) and, when enabled, the named servers table with a create-and-start form.
 *
 * Form targets: start the default server `POST {hub}spawn/<user>` (fields `profile`, `_xsrf`);
 * start an existing named server `POST {hub}spawn/<user>/<server>` (same fields); create and start a
 * new named server `POST {hub}home/servers` (fields `server_name`, `profile`, `_xsrf`; a refusal
 * re-renders this page with what was typed and why); change a stopped named server's profile
 * `POST {hub}home/servers/<server>/profile` (fields `profile`, `_xsrf`); delete a stopped named
 * server `POST {hub}home/servers/<server>/delete`; stop `POST {hub}stop/<user>[/<server>]` (field `_xsrf`).
 * A start form has a "charge to" select (`charge_group-<profile>`, or `charge_group` where the form
 * starts one profile) for each profile the user can charge to more than one of their groups.
 * Profiles whose resources the backend does not fully apply say so ("Not applied on this backend").
 */
import type { ServerState } from '@clusterhub/shared';
import { encodeSegment, formatTime, html, safeUrl, type SafeHtml } from './html';
import { renderLayout, type PageUser } from './layout';
import { notAppliedNote, preselectedProfile, profileSelect, profileTable, type HomeProfile } from './profile-select';
import { stateLabel, stopReasonText } from './server-text';
import { batchChoices, type HomeBatchProfile } from './batch-choices';
import { chargeGroupFields, chargeGroupInline } from './charge-group-select';

export type { HomeProfile } from './profile-select';

/** One of the user's servers as the home page shows it. */
export interface HomeServer {
  /** `''` for the default server. */
  readonly name: string;
  readonly displayName: string;
  readonly state: ServerState;
  /** The server's URL, e.g. `/user/alice/`. */
  readonly url: string;
  readonly profile: string | null;
  readonly profileName: string | null;
  readonly lastActivity: string | null;
  readonly stopReason: string | null;
  /** Last status or failure message. */
  readonly message: string | null;
  /** The `charge_group` of its last start's options, preselected in its start form. */
  readonly chargeGroup?: string | null;
}

/** The new-named-server form as the user submitted it, with the reason it was refused. */
export interface NewServerForm {
  readonly name: string;
  readonly profile: string | null;
  readonly error: string;
}

/** View model of {@link renderHome}. */
export interface HomeView {
  readonly baseHubUrl: string;
  readonly user: PageUser;
  readonly xsrf: string;
  readonly servers: readonly HomeServer[];
  readonly profiles: readonly HomeProfile[];
  readonly allowNamedServers: boolean;
  /** An informational banner (e.g. "Server stopped."). */
  readonly notice?: string;
  /** A refused new-server form, shown again with its values and error. */
  readonly newServer?: NewServerForm;
  /** Slurm profiles open to the user: free GPUs now and their choices (docs/batch-jobs.md). */
  readonly batchProfiles?: readonly HomeBatchProfile[];
}

/**
 * Pattern of new named servers, the same rule as `isValidServerName`. Browsers compile `pattern`
 * with the `v` flag, where an unescaped `-` inside a character class is a syntax error (and the
 * browser then checks nothing): the hyphen stands outside any class here.
 */
export const SERVER_NAME_PATTERN = '[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,29}';

interface Urls {
  spawn(server: string): string;
  stop(server: string): string;
  pending(server: string): string;
  create(): string;
  profile(server: string): string;
  remove(server: string): string;
}

function urls(view: HomeView): Urls {
  const user = encodeSegment(view.user.name);
  const at = (kind: string, server: string): string =>
    `${view.baseHubUrl}${kind}/${user}${server === '' ? '' : `/${encodeSegment(server)}`}`;
  return {
    spawn: (s) => at('spawn', s),
    stop: (s) => at('stop', s),
    pending: (s) => at('spawn-pending', s),
    create: () => `${view.baseHubUrl}home/servers`,
    profile: (s) => `${view.baseHubUrl}home/servers/${encodeSegment(s)}/profile`,
    remove: (s) => `${view.baseHubUrl}home/servers/${encodeSegment(s)}/delete`,
  };
}

function badge(state: ServerState, id?: string): SafeHtml {
  return html`<span class="badge badge-${state}"${id === undefined ? null : html` id="${id}"`}>${stateLabel(state)}</span>`;
}

function xsrfInput(xsrf: string): SafeHtml {
  return html`<input type="hidden" name="_xsrf" value="${xsrf}">`;
}

function stopForm(view: HomeView, action: string, id: string, small: boolean): SafeHtml {
  return html`<form class="inline" method="post" action="${action}">${xsrfInput(view.xsrf)}<button type="submit" class="btn btn-danger${small ? ' btn-sm' : ''}" id="${id}">Stop${small ? '' : ' server'}</button></form>`;
}

function statusAlerts(server: HomeServer): SafeHtml {
  if (server.state === 'failed') {
    return html`<div class="alert alert-error" role="alert" id="server-failed"><strong>The last start failed.</strong> ${server.message ?? ''}</div>`;
  }
  if (server.state === 'stopped' && server.stopReason !== null) {
    return html`<div class="alert alert-warn" id="stop-reason">Your server was stopped because ${stopReasonText(server.stopReason)}.${server.message === null ? null : html` <span class="small">${server.message}</span>`}</div>`;
  }
  if (server.state === 'running' && server.message !== null) {
    // Notices about a running server: a GPU-idle warning, a downshift, a walltime notice.
    return html`<div class="alert alert-info" role="status" id="server-message">${server.message}</div>`;
  }
  return html``;
}

/** ": CPU needs group x; GPU needs …" for the alert shown when no profile is open to the user (empty when no reasons are known). */
function noProfileReasons(profiles: readonly HomeProfile[]): string {
  const reasons = profiles.filter((p) => p.reason !== undefined).map((p) => `${p.displayName} ${p.reason ?? ''}`);
  return reasons.length === 0 ? '' : `: ${reasons.join('; ')}`;
}

function defaultCard(view: HomeView, u: Urls): SafeHtml {
  const server: HomeServer = view.servers.find((s) => s.name === '') ?? {
    name: '', displayName: '', state: 'stopped', url: '', profile: null, profileName: null, lastActivity: null, stopReason: null, message: null,
  };
  let content: SafeHtml;
  if (server.state === 'stopped' || server.state === 'failed') {
    const none = preselectedProfile(view.profiles) === undefined;
    content = html`${statusAlerts(server)}
      <form method="post" action="${u.spawn('')}" id="spawn-form">
        ${xsrfInput(view.xsrf)}
        <div class="field field-limit">
          <label for="profile-select">Profile</label>
          ${profileSelect(view.profiles, { id: 'profile-select', preferred: server.profile })}
          <div class="hint">Prices are in compute units per hour while the server runs.</div>
          ${view.profiles.some((p) => (p.notApplied ?? []).length > 0) ? html`<div class="hint not-applied" id="backend-limits">This backend does not apply every resource a profile names: see <em>Compare profiles</em>.</div>` : null}
        </div>
        ${chargeGroupFields(view.profiles, { formId: 'spawn-form', selectId: 'profile-select', preferred: server.chargeGroup })}
        ${profileTable(view.profiles)}
        ${none ? html`<div class="alert alert-error" role="alert" id="no-profile">No profile is available to you${noProfileReasons(view.profiles)}. Ask an administrator for access.</div>` : null}
        <div class="actions"><button type="submit" class="btn btn-primary" id="start"${none ? html` disabled` : null}>Start server</button></div>
      </form>
      ${batchChoices(view.batchProfiles ?? [], u.spawn(''), view.xsrf)}`;
  } else if (server.state === 'running') {
    content = html`${statusAlerts(server)}<dl class="meta">
        <dt>Profile</dt><dd id="server-profile">${server.profileName ?? server.profile ?? 'unknown'}</dd>
        <dt>Last activity</dt><dd>${formatTime(server.lastActivity, 'unknown')}</dd>
      </dl>
      ${notAppliedNote(view.profiles.find((p) => p.slug === server.profile), 'server-not-applied')}
      <div class="actions">
        <a class="btn btn-primary" id="open-server" href="${safeUrl(server.url)}">Open JupyterLab</a>
        ${stopForm(view, u.stop(''), 'stop', false)}
      </div>`;
  } else if (server.state === 'pending-start') {
    content = html`<p>Your server is starting${server.profileName === null ? null : html` with <strong>${server.profileName}</strong>`}.</p>
      <div class="actions"><a class="btn btn-primary" id="pending-link" href="${u.pending('')}">View progress</a></div>`;
  } else {
    content = html`<p>Your server is stopping. This can take a moment.</p>
      <div class="actions"><a class="btn" id="refresh" href="${view.baseHubUrl}home">Refresh</a></div>`;
  }
  return html`<section class="card" id="default-server" aria-labelledby="default-server-title">
      <div class="card-head"><h2 id="default-server-title">Your server</h2>${badge(server.state, 'server-state')}</div>
      ${content}
    </section>`;
}

/** The profile of a named server: a change form while it is stopped, its name otherwise. */
function profileCell(view: HomeView, u: Urls, server: HomeServer): SafeHtml {
  const name = server.profileName ?? server.profile ?? '—';
  if (server.state !== 'stopped' && server.state !== 'failed') return html`${name}`;
  const id = `profile-of-${server.name}`;
  return html`<form class="inline profile-form" method="post" action="${u.profile(server.name)}">${xsrfInput(view.xsrf)}
        <label class="sr-only" for="${id}">Profile of ${server.name}</label>
        ${profileSelect(view.profiles, { id, preferred: server.profile })}
        <button type="submit" class="btn btn-sm" id="change-${server.name}">Change</button>
      </form>`;
}

function namedRow(view: HomeView, u: Urls, server: HomeServer): SafeHtml {
  const n = server.name;
  let actions: SafeHtml;
  if (server.state === 'running') {
    actions = html`<a class="btn btn-primary btn-sm" id="open-${n}" href="${safeUrl(server.url)}">Open</a>${stopForm(view, u.stop(n), `stop-${n}`, true)}`;
  } else if (server.state === 'pending-start') {
    actions = html`<a class="btn btn-sm" id="progress-${n}" href="${u.pending(n)}">Progress</a>`;
  } else if (server.state === 'pending-stop') {
    actions = html`<span class="muted small">stopping…</span>`;
  } else {
    const profile = preselectedProfile(view.profiles, server.profile);
    const charge = chargeGroupInline(view.profiles.find((p) => p.slug === profile), `charge-of-${n}`, server.chargeGroup);
    actions = html`<form class="inline" method="post" action="${u.spawn(n)}">${xsrfInput(view.xsrf)}${profile === undefined ? null : html`<input type="hidden" name="profile" value="${profile}">`}${charge}<button type="submit" class="btn btn-sm" id="start-${n}"${profile === undefined ? html` disabled` : null}>Start</button></form>
      <form class="inline" method="post" action="${u.remove(n)}">${xsrfInput(view.xsrf)}<button type="submit" class="btn btn-danger btn-sm" id="delete-${n}" aria-label="Delete server ${n}">Delete</button></form>`;
  }
  const note = server.state === 'failed' ? server.message : server.stopReason === null ? null : `Stopped: ${stopReasonText(server.stopReason)}`;
  return html`<tr data-server="${n}">
      <td><strong>${server.displayName === '' ? n : server.displayName}</strong>${server.displayName !== '' && server.displayName !== n ? html` <span class="muted mono small">${n}</span>` : null}${note === null ? null : html`<div class="small muted">${note}</div>`}</td>
      <td class="hide-narrow">${profileCell(view, u, server)}</td>
      <td>${badge(server.state)}</td>
      <td class="hide-narrow">${formatTime(server.lastActivity)}</td>
      <td class="actions-cell">${actions}</td>
    </tr>`;
}

function namedCard(view: HomeView, u: Urls): SafeHtml {
  const refused = view.newServer;
  const named = view.servers.filter((s) => s.name !== '');
  const rows = named.length === 0 ? html`<tr><td colspan="5" class="empty">You have no named servers yet.</td></tr>` : named.map((s) => namedRow(view, u, s));
  return html`<section class="card" id="named-servers" aria-labelledby="named-servers-title">
      <div class="card-head"><h2 id="named-servers-title">Named servers</h2></div>
      <p class="muted small">Run more servers side by side, each with its own profile.</p>
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col" class="hide-narrow">Profile</th><th scope="col">Status</th><th scope="col" class="hide-narrow">Last activity</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${rows}</tbody>
        </table>
      </div>
      <form method="post" action="${u.create()}" id="new-server-form" class="new-server">
        <h3 class="label">New named server</h3>
        ${xsrfInput(view.xsrf)}
        ${refused === undefined ? null : html`<div class="alert alert-error" role="alert" id="new-server-error">${refused.error}</div>`}
        <div class="row">
          <div class="field">
            <label for="new-server-name">Name</label>
            <input type="text" id="new-server-name" name="server_name" required pattern="${SERVER_NAME_PATTERN}" maxlength="30"
              autocapitalize="none" spellcheck="false" placeholder="e.g. training" aria-describedby="new-server-name-hint"${refused === undefined ? null : html` value="${refused.name}" aria-invalid="true" autofocus`}>
          </div>
          <div class="field">
            <label for="new-server-profile">Profile</label>
            ${profileSelect(view.profiles, { id: 'new-server-profile', preferred: refused?.profile })}
          </div>
          ${chargeGroupFields(view.profiles, { formId: 'new-server-form', selectId: 'new-server-profile' })}
          <div><button type="submit" class="btn btn-primary" id="new-server-start">Create and start</button></div>
        </div>
        <div class="hint" id="new-server-name-hint">Lowercase letters, digits and hyphens; starts with a letter; at most 30 characters.</div>
      </form>
    </section>`;
}

/** Renders the home page. */
export function renderHome(view: HomeView): string {
  const u = urls(view);
  const body = html`
    <h1>Welcome, ${view.user.name}</h1>
    ${view.notice !== undefined && view.notice !== '' ? html`<div class="alert alert-info" role="status" id="notice">${view.notice}</div>` : null}
    ${defaultCard(view, u)}
    ${view.allowNamedServers ? namedCard(view, u) : null}`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Home', user: view.user, current: 'home', body });
}
