/**
 * The admin page (`{hub}admin`), what JupyterHub's admin page offers, as plain forms: users with
 * their servers (start, stop), add users, edit a user (rename, admin flag), delete a user, "stop
 * all", groups (create, delete, add and remove members). Every form posts `_xsrf` and is answered
 * with a redirect back here (POST-redirect-GET) carrying a one-time notice or error.
 *
 * Form targets (all `POST`, field `_xsrf`): `{hub}admin/users` (`names`: one per line, `admin`),
 * `{hub}admin/users/<name>/edit` (`name`, `admin`), `{hub}admin/users/<name>/delete`,
 * `{hub}admin/servers/start` and `{hub}admin/servers/stop` (`user`, `server`: `''` = default),
 * `{hub}admin/stop-all`, `{hub}admin/groups` (`name`), `{hub}admin/groups/<group>/delete`,
 * `{hub}admin/groups/<group>/add` and `{hub}admin/groups/<group>/remove` (`user`); budgets:
 * pages/admin-budgets.ts.
 */
import type { ServerState } from '@clusterhub/shared';
import { encodeSegment, formatTime, html, safeUrl, type SafeHtml } from './html';
import { renderLayout, type PageUser } from './layout';
import { renderBudgetSection, type AdminBudgetsView } from './admin-budgets';
import { stateLabel } from './server-text';

/** One server in the users table. */
export interface AdminServerRow {
  /** `''` for the default server. */
  readonly name: string;
  readonly state: ServerState;
  readonly profileName: string | null;
  readonly lastActivity: string | null;
  /** The server's URL, e.g. `/user/alice/`. */
  readonly url: string;
}

/** One user in the users table. */
export interface AdminUserRow {
  readonly name: string;
  readonly admin: boolean;
  readonly lastActivity: string | null;
  readonly servers: readonly AdminServerRow[];
  readonly groups: readonly string[];
}

/** One group in the groups table. */
export interface AdminGroupRow {
  readonly name: string;
  readonly members: readonly string[];
}

/** View model of {@link renderAdmin}. */
export interface AdminView {
  readonly baseHubUrl: string;
  readonly user: PageUser;
  readonly xsrf: string;
  readonly users: readonly AdminUserRow[];
  /** Users in total (the table may show fewer). */
  readonly totalUsers: number;
  readonly groups: readonly AdminGroupRow[];
  /** The budgets section; absent on hubs without budgets. */
  readonly budgets?: Pick<AdminBudgetsView, 'budgets' | 'periodStart' | 'periodEnd' | 'gap'>;
  /** One-time result of the last action. */
  readonly notice?: string;
  /** One-time error of the last action. */
  readonly error?: string;
}

function xsrfInput(view: AdminView): SafeHtml {
  return html`<input type="hidden" name="_xsrf" value="${view.xsrf}">`;
}

/** A one-button form with hidden fields. */
function button(view: AdminView, action: string, label: string, opts: { id?: string; danger?: boolean; fields?: Record<string, string>; aria?: string } = {}): SafeHtml {
  const hidden = Object.entries(opts.fields ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  return html`<form class="inline" method="post" action="${action}">${xsrfInput(view)}${hidden}<button type="submit" class="btn btn-sm${opts.danger === true ? ' btn-danger' : ''}"${opts.id === undefined ? null : html` id="${opts.id}"`}${opts.aria === undefined ? null : html` aria-label="${opts.aria}"`}>${label}</button></form>`;
}

function serverLine(view: AdminView, user: AdminUserRow, server: AdminServerRow, index: number): SafeHtml {
  const label = server.name === '' ? 'default' : server.name;
  const fields = { user: user.name, server: server.name };
  const key = `${index}`;
  const active = server.state === 'running' || server.state === 'pending-start';
  const action = active
    ? button(view, `${view.baseHubUrl}admin/servers/stop`, 'Stop', { id: `stop-${key}`, danger: true, fields, aria: `Stop ${user.name}/${label}` })
    : server.state === 'pending-stop'
      ? html`<span class="muted small">stopping…</span>`
      : button(view, `${view.baseHubUrl}admin/servers/start`, 'Start', { id: `start-${key}`, fields, aria: `Start ${user.name}/${label}` });
  return html`<li class="admin-server" data-server="${user.name}/${server.name}">
      ${server.state === 'running' ? html`<a href="${safeUrl(server.url)}" class="mono">${label}</a>` : html`<span class="mono">${label}</span>`}
      <span class="badge badge-${server.state}">${stateLabel(server.state)}</span>
      ${server.profileName === null ? null : html`<span class="small muted">${server.profileName}</span>`}
      ${action}
    </li>`;
}

function userRow(view: AdminView, user: AdminUserRow, index: number): SafeHtml {
  const self = user.name === view.user.name;
  const path = `${view.baseHubUrl}admin/users/${encodeSegment(user.name)}`;
  const servers = user.servers.length === 0 ? [{ name: '', state: 'stopped' as const, profileName: null, lastActivity: null, url: '' }] : user.servers;
  return html`<tr data-user="${user.name}">
      <td><strong>${user.name}</strong>${user.admin ? html` <span class="chip">admin</span>` : null}
        ${user.groups.length === 0 ? null : html`<div class="small muted">groups: ${user.groups.join(', ')}</div>`}</td>
      <td><ul class="admin-servers">${servers.map((s, i) => serverLine(view, user, s, index * 100 + i))}</ul></td>
      <td class="hide-narrow">${formatTime(user.lastActivity)}</td>
      <td class="actions-cell">
        <details class="admin-edit"><summary id="edit-${index}">Edit</summary>
          <form method="post" action="${path}/edit">${xsrfInput(view)}
            <div class="field"><label for="edit-name-${index}">Name</label><input type="text" id="edit-name-${index}" name="name" value="${user.name}" required></div>
            <label class="check"><input type="checkbox" name="admin" value="1"${user.admin ? html` checked` : null}${self ? html` disabled` : null}> Admin</label>
            ${self ? html`<input type="hidden" name="admin" value="1"><div class="hint">You cannot remove your own admin rights here.</div>` : null}
            <div class="actions"><button type="submit" class="btn btn-sm btn-primary" id="save-${index}">Save</button></div>
          </form>
        </details>
        ${self ? null : button(view, `${path}/delete`, 'Delete user', { id: `delete-${index}`, danger: true, aria: `Delete user ${user.name}` })}
      </td>
    </tr>`;
}

function groupRow(view: AdminView, group: AdminGroupRow, index: number): SafeHtml {
  const path = `${view.baseHubUrl}admin/groups/${encodeSegment(group.name)}`;
  const members =
    group.members.length === 0
      ? html`<span class="muted small">no members</span>`
      : group.members.map(
          (m) => html`<span class="chip member">${m} ${button(view, `${path}/remove`, '×', { fields: { user: m }, aria: `Remove ${m} from ${group.name}` })}</span>`,
        );
  return html`<tr data-group="${group.name}">
      <td><strong>${group.name}</strong></td>
      <td><div class="chips">${members}</div>
        <form class="inline add-member" method="post" action="${path}/add">${xsrfInput(view)}
          <label class="sr-only" for="add-member-${index}">Add a member to ${group.name}</label>
          <input type="text" id="add-member-${index}" name="user" required placeholder="user name" list="admin-user-names">
          <button type="submit" class="btn btn-sm" id="add-member-button-${index}">Add</button>
        </form></td>
      <td class="actions-cell">${button(view, `${path}/delete`, 'Delete group', { id: `delete-group-${index}`, danger: true, aria: `Delete group ${group.name}` })}</td>
    </tr>`;
}

/** Renders the admin page. */
export function renderAdmin(view: AdminView): string {
  const shown = view.users.length < view.totalUsers ? html`<p class="small muted">Showing ${view.users.length} of ${view.totalUsers} users.</p>` : null;
  const body = html`
    <h1>Administration</h1>
    ${view.notice === undefined ? null : html`<div class="alert alert-ok" role="status" id="admin-notice">${view.notice}</div>`}
    ${view.error === undefined ? null : html`<div class="alert alert-error" role="alert" id="admin-error">${view.error}</div>`}
    <section class="card" aria-labelledby="users-title">
      <div class="card-head"><h2 id="users-title">Users</h2>
        ${button(view, `${view.baseHubUrl}admin/stop-all`, 'Stop all servers', { id: 'stop-all', danger: true })}</div>
      ${shown}
      <div class="table-wrap">
        <table id="admin-users">
          <thead><tr><th scope="col">User</th><th scope="col">Servers</th><th scope="col" class="hide-narrow">Last activity</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${view.users.map((u, i) => userRow(view, u, i))}</tbody>
        </table>
      </div>
      <datalist id="admin-user-names">${view.users.map((u) => html`<option value="${u.name}">`)}</datalist>
      <form method="post" action="${view.baseHubUrl}admin/users" id="add-users-form" class="new-server">
        <h3 class="label">Add users</h3>
        ${xsrfInput(view)}
        <div class="field"><label for="add-users-names">Names, one per line</label><textarea id="add-users-names" name="names" rows="3" required></textarea></div>
        <label class="check"><input type="checkbox" name="admin" value="1" id="add-users-admin"> Admin</label>
        <div class="actions"><button type="submit" class="btn btn-primary" id="add-users">Add users</button></div>
      </form>
    </section>
    <section class="card" aria-labelledby="groups-title">
      <h2 id="groups-title">Groups</h2>
      <div class="table-wrap">
        <table id="admin-groups">
          <thead><tr><th scope="col">Group</th><th scope="col">Members</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${view.groups.length === 0 ? html`<tr><td colspan="3" class="empty">No groups yet.</td></tr>` : view.groups.map((g, i) => groupRow(view, g, i))}</tbody>
        </table>
      </div>
      <form method="post" action="${view.baseHubUrl}admin/groups" id="add-group-form" class="new-server">
        ${xsrfInput(view)}
        <div class="row">
          <div class="field"><label for="add-group-name">New group</label><input type="text" id="add-group-name" name="name" required></div>
          <div><button type="submit" class="btn btn-primary" id="add-group">Create group</button></div>
        </div>
      </form>
    </section>
    ${view.budgets === undefined ? null : renderBudgetSection({ ...view.budgets, baseHubUrl: view.baseHubUrl, xsrf: view.xsrf })}`;
  return renderLayout({ baseHubUrl: view.baseHubUrl, title: 'Admin', user: view.user, current: 'admin', body });
}
