import { renderAdmin } from './admin';
import { renderError, statusReason } from './error';
import { renderHome, type HomeProfile, type HomeServer, type HomeView } from './home';
import { renderLayout } from './layout';
import { renderLogin } from './login';
import { renderLoggedOut } from './logout';
import { renderNotRunning } from './not-running';
import { renderServerLog } from './server-log';
import { describeScope, renderOAuthConfirm } from './oauth-confirm';
import { renderSpawnPending } from './spawn-pending';
import { HUB_CSS } from './style';
import { renderTokenPage } from './token';
import { html } from './html';

const EVIL = '<script>alert("x")</script>';
const BASE = '/hub/';

/** Structural checks every page must pass. */
function expectValidPage(page: string, scripts = 0): void {
  expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(page.match(/<main[\s>]/g)).toHaveLength(1);
  expect(page.match(/<title>/g)).toHaveLength(1);
  expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(page).toContain('<html lang="en">');
  expect(page).toContain('href="/hub/static/clusterhub.css"');
  expect(page.match(/<script[\s>]/g) ?? []).toHaveLength(scripts);
  expect(page).not.toContain('<script>alert');
  expect(page).not.toContain('<img');
  const ids = [...page.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
}

const profiles: HomeProfile[] = [
  { slug: 'cpu', displayName: 'CPU', description: 'Small', kind: 'cpu', summary: '2 CPU', pricePerHour: 1, allowed: true, default: true },
  { slug: 'mig', displayName: 'MIG', description: 'Slice', kind: 'mig', summary: '1g.5gb', pricePerHour: 4, allowed: true, default: false },
  { slug: 'gpu', displayName: 'A100', description: 'Whole', kind: 'gpu', summary: '1 GPU', pricePerHour: 30, allowed: false, default: false },
];

function server(over: Partial<HomeServer> = {}): HomeServer {
  return { name: '', displayName: '', state: 'stopped', url: '/user/alice/', profile: null, profileName: null, lastActivity: null,
    stopReason: null, message: null, ...over };
}

function home(over: Partial<HomeView> = {}): string {
  return renderHome({ baseHubUrl: BASE, user: { name: 'alice', admin: false }, xsrf: 'X1', servers: [], profiles, allowNamedServers: false, ...over });
}

describe('layout', () => {
  it('shows the user and the Home · Token · Logout links when logged in', () => {
    const page = renderLayout({ baseHubUrl: BASE, title: 'T', user: { name: 'alice' }, current: 'token', body: html`<p>x</p>` });
    expectValidPage(page);
    expect(page).toContain('>alice</span>');
    expect(page).toContain('href="/hub/home"');
    expect(page).toContain('href="/hub/token" aria-current="page"');
    expect(page).toContain('href="/hub/logout"');
    expect(page).toContain('<title>T · clusterhub</title>');
  });

  it('has no navigation when logged out, and escapes the title', () => {
    const page = renderLayout({ baseHubUrl: BASE, title: EVIL, body: html`` });
    expectValidPage(page);
    expect(page).not.toContain('/hub/logout');
    expect(page).toContain('<title>&lt;script&gt;');
  });

  it('serves a stylesheet without external resources', () => {
    expect(HUB_CSS).not.toMatch(/@import|url\(|https?:/);
  });
});

describe('login', () => {
  it('renders the form the flows depend on', () => {
    const page = renderLogin({ baseHubUrl: BASE, next: '/user/alice/lab?x=1&y=2', xsrf: 'tok"en', error: 'Invalid username or password' });
    expectValidPage(page);
    expect(page).toContain('action="/hub/login?next=%2Fuser%2Falice%2Flab%3Fx%3D1%26y%3D2"');
    expect(page).toMatch(/<form method="post"/);
    expect(page).toMatch(/id="username_input" name="username"/);
    expect(page).toMatch(/type="password" id="password_input" name="password"/);
    expect(page).toContain('name="_xsrf" value="tok&quot;en"');
    expect(page).toContain('id="login_submit"');
    expect(page).toMatch(/role="alert"[^>]*>Invalid username or password</);
  });

  it('omits next when empty and escapes hostile input', () => {
    const page = renderLogin({ baseHubUrl: BASE, next: '', xsrf: 'x', username: EVIL, error: EVIL });
    expectValidPage(page);
    expect(page).toContain('action="/hub/login"');
    expect(page).toContain('value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"');
  });

  it('shows no alert without an error', () => {
    expect(renderLogin({ baseHubUrl: BASE, next: '', xsrf: 'x' })).not.toContain('role="alert"');
  });
});

describe('home', () => {
  it('offers the spawn form for a stopped default server', () => {
    const page = home();
    expectValidPage(page);
    expect(page).toMatch(/<form method="post" action="\/hub\/spawn\/alice" id="spawn-form">/);
    expect(page).toContain('<select name="profile" id="profile-select"');
    expect(page).toContain('<option value="cpu" selected>CPU — 1 unit/h</option>');
    expect(page).toContain('<option value="gpu" disabled>A100 — 30 units/h (not available to you)</option>');
    expect(page).toContain('name="_xsrf" value="X1"');
    expect(page).toMatch(/id="start">Start server</);
    expect(page).not.toContain('id="named-servers"');
  });

  it('preselects the previous profile and shows why the server stopped', () => {
    const page = home({ servers: [server({ profile: 'mig', stopReason: 'idle' })] });
    expect(page).toContain('<option value="mig" selected>');
    expect(page).toContain('because it was idle for too long');
  });

  it('shows the failure message of a failed server with the spawn form', () => {
    const page = home({ servers: [server({ state: 'failed', message: 'Spawn failed: ' + EVIL })] });
    expectValidPage(page);
    expect(page).toMatch(/role="alert" id="server-failed"/);
    expect(page).toContain('Spawn failed: &lt;script&gt;');
    expect(page).toContain('id="spawn-form"');
  });

  it('shows the message of a running server (a GPU-idle warning, a downshift), escaped, and why a GPU-idle server stopped', () => {
    const page = home({ servers: [server({ state: 'running', message: 'Your GPU server was moved to CPU at 14:20 UTC ' + EVIL })] });
    expectValidPage(page);
    expect(page).toContain('id="server-message">Your GPU server was moved to CPU at 14:20 UTC &lt;script&gt;');
    expect(home({ servers: [server({ state: 'running' })] })).not.toContain('id="server-message"');
    expect(home({ servers: [server({ stopReason: 'gpu-idle' })] })).toContain('because it held a GPU without using it for too long');
  });

  it('disables start when no profile is allowed', () => {
    const page = home({ profiles: profiles.map((p) => ({ ...p, allowed: false })) });
    expect(page).toMatch(/id="start" disabled/);
  });

  it('offers open and stop for a running server', () => {
    const page = home({ servers: [server({ state: 'running', profileName: 'CPU', lastActivity: '2026-01-02T03:04:05Z' })] });
    expectValidPage(page);
    expect(page).toMatch(/<a class="btn btn-primary" id="open-server" href="\/user\/alice\/">Open JupyterLab<\/a>/);
    expect(page).toMatch(/action="\/hub\/stop\/alice"><input type="hidden" name="_xsrf" value="X1"><button[^>]*id="stop"/);
    expect(page).toContain('2026-01-02 03:04 UTC');
    expect(page).not.toContain('id="spawn-form"');
  });

  it('links to the progress page while starting, and offers refresh while stopping', () => {
    expect(home({ servers: [server({ state: 'pending-start' })] })).toContain('href="/hub/spawn-pending/alice"');
    expect(home({ servers: [server({ state: 'pending-stop' })] })).toContain('id="refresh"');
  });

  it('neutralises a hostile server URL', () => {
    expect(home({ servers: [server({ state: 'running', url: 'javascript:alert(1)' })] })).toContain('id="open-server" href="#"');
  });

  it('lists named servers with their actions and the create form', () => {
    const page = home({
      allowNamedServers: true,
      notice: 'Server stopped.',
      servers: [
        server({ state: 'running' }),
        server({ name: 'big', displayName: 'Big one', state: 'running', url: '/user/alice/big/', profile: 'gpu', profileName: 'A100' }),
        server({ name: 'small', displayName: 'small', state: 'stopped', profile: 'mig' }),
        server({ name: 'wip', displayName: 'wip', state: 'pending-start' }),
        server({ name: 'bad', displayName: 'bad', state: 'failed', message: 'boom' }),
      ],
    });
    expectValidPage(page);
    expect(page).toMatch(/role="status" id="notice">Server stopped\.</);
    expect(page).toContain('id="open-big" href="/user/alice/big/"');
    expect(page).toMatch(/action="\/hub\/stop\/alice\/big">.*id="stop-big"/);
    expect(page).toMatch(/action="\/hub\/spawn\/alice\/small">.*name="profile" value="mig".*id="start-small"/);
    expect(page).toContain('href="/hub/spawn-pending/alice/wip"');
    expect(page).toContain('boom');
    expect(page).toMatch(/<form method="post" action="\/hub\/home\/servers" id="new-server-form"/);
    expect(page).toContain('name="server_name" required pattern="[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,29}"');
    expect(page).toContain('id="new-server-profile"');
    expect(page).not.toContain('id="new-server-error"');
    // Stopped and failed named servers: change profile and delete; running ones: neither.
    expect(page).toMatch(/action="\/hub\/home\/servers\/small\/profile">.*<select name="profile" id="profile-of-small" required>/s);
    expect(page).toContain('action="/hub/home/servers/small/delete"');
    expect(page).toContain('id="delete-bad"');
    expect(page).not.toContain('id="delete-big"');
    expect(page).not.toContain('id="profile-of-big"');
  });

  it('shows a refused new-server form again with its values and the reason, escaped', () => {
    const page = home({ allowNamedServers: true, newServer: { name: EVIL, profile: 'mig', error: 'Invalid server_name ' + EVIL } });
    expectValidPage(page);
    expect(page).toMatch(/role="alert" id="new-server-error">Invalid server_name &lt;script&gt;/);
    expect(page).toContain('value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" aria-invalid="true"');
    expect(page).toMatch(/id="new-server-profile" required>.*<option value="mig" selected>/s);
  });

  it('says what the backend does not apply of a profile', () => {
    const limited = profiles.map((p) => (p.slug === 'mig' ? { ...p, notApplied: ['The MIG slice is not reserved.'] } : p));
    const stopped = home({ profiles: limited });
    expect(stopped).toContain('id="backend-limits"');
    expect(stopped).toContain('<strong>Not applied on this backend:</strong> The MIG slice is not reserved.');
    const running = home({ profiles: limited, servers: [server({ state: 'running', profile: 'mig', profileName: 'MIG' })] });
    expect(running).toMatch(/id="server-not-applied"><strong>Not applied on this backend:<\/strong> The MIG slice is not reserved\./);
    expect(home()).not.toContain('Not applied on this backend');
  });

  it('escapes hostile user names in text and encodes them in URLs', () => {
    const page = renderHome({ baseHubUrl: BASE, user: { name: EVIL }, xsrf: 'x', servers: [], profiles, allowNamedServers: true });
    expectValidPage(page);
    expect(page).toContain('action="/hub/spawn/%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E"');
    expect(page).toContain('Welcome, &lt;script&gt;');
  });
});

describe('spawn-pending', () => {
  it('wires the progress stream through data attributes and an inline script', () => {
    const page = renderSpawnPending({ baseHubUrl: BASE, user: { name: 'alice' }, serverName: 'gpu',
      progressUrl: '/hub/api/users/alice/servers/gpu/progress?_xsrf=a&b', nextUrl: '/user/alice/gpu/', nonce: 'n0' });
    expectValidPage(page, 1);
    expect(page).toContain('data-progress-url="/hub/api/users/alice/servers/gpu/progress?_xsrf=a&amp;b"');
    expect(page).toContain('data-next-url="/user/alice/gpu/"');
    expect(page).toContain('<script nonce="n0">');
    expect(page).toContain('new EventSource(');
    expect(page).toContain('role="progressbar"');
    expect(page).toMatch(/id="progress-failed" hidden/);
    expect(page).toContain('href="/hub/home" id="back-home"');
    expect(page).toContain('<noscript><meta http-equiv="refresh" content="10"></noscript>');
    expect(page).toContain('Starting your server “gpu”');
  });

  it('escapes hostile names and URLs', () => {
    const page = renderSpawnPending({ baseHubUrl: BASE, user: { name: 'root' }, owner: EVIL, serverName: EVIL, progressUrl: '"><b>', nextUrl: 'javascript:x' });
    expectValidPage(page, 1);
    expect(page).toContain('data-progress-url="&quot;&gt;&lt;b&gt;"');
    expect(page).toContain('data-next-url="#"');
  });
});

describe('spawn-pending actions', () => {
  it("offers Cancel start (with _xsrf) and the log of the owner's server", () => {
    const page = renderSpawnPending({ baseHubUrl: BASE, user: { name: 'root' }, owner: 'a b', serverName: 'gpu', progressUrl: '/p', nextUrl: '/n', xsrf: 'X"' });
    expectValidPage(page, 1);
    expect(page).toContain('action="/hub/stop/a%20b/gpu" id="stop-form"><input type="hidden" name="_xsrf" value="X&quot;"><button type="submit" class="btn btn-danger" id="stop-server">Cancel start</button>');
    expect(page).toContain('id="server-log-link" href="/hub/logs/a%20b/gpu"');
    expect(renderSpawnPending({ baseHubUrl: BASE, user: { name: 'alice' }, serverName: '', progressUrl: '/p', nextUrl: '/n' })).not.toContain('id="stop-form"');
  });
});

describe('server-log', () => {
  it('shows the tail escaped, or says there is none', () => {
    const page = renderServerLog({ baseHubUrl: BASE, user: { name: 'alice' }, owner: 'alice', serverName: '', tail: EVIL, maxLines: 200, selfUrl: '/hub/logs/alice' });
    expectValidPage(page);
    expect(page).toContain('id="server-log" tabindex="0">&lt;script&gt;');
    expect(page).toContain('Log of your server');
    expect(renderServerLog({ baseHubUrl: BASE, user: { name: 'root' }, owner: 'alice', serverName: 'x', tail: null, maxLines: 1, selfUrl: '/' })).toContain('id="server-log-none"');
    expect(renderServerLog({ baseHubUrl: BASE, user: { name: 'alice' }, owner: 'alice', serverName: '', tail: '', maxLines: 1, selfUrl: '/' })).toContain('id="server-log-empty"');
  });
});

describe('not-running', () => {
  it('links to the spawn URL', () => {
    const page = renderNotRunning({ baseHubUrl: BASE, user: { name: 'alice' }, serverName: '', spawnUrl: '/hub/spawn/alice?next=%2Fuser%2Falice%2Flab' });
    expectValidPage(page);
    expect(page).toContain('id="start" href="/hub/spawn/alice?next=%2Fuser%2Falice%2Flab"');
    expect(page).toContain('Your server is not running');
  });

  it('says why the server stopped and shows its last message, escaped', () => {
    const page = renderNotRunning({ baseHubUrl: BASE, user: { name: 'alice' }, serverName: '', spawnUrl: '/x', stopReason: 'died', message: EVIL });
    expectValidPage(page);
    expect(page).toContain('id="stop-reason">It stopped because it exited unexpectedly.<');
    expect(page).toContain('<span class="mono small">&lt;script&gt;');
    expect(renderNotRunning({ baseHubUrl: BASE, user: { name: 'alice' }, serverName: '', spawnUrl: '/x' })).not.toContain('id="stop-reason"');
  });

  it('names the owner and server, escaped', () => {
    const page = renderNotRunning({ baseHubUrl: BASE, user: { name: 'root' }, owner: EVIL, serverName: EVIL, spawnUrl: '/x' });
    expectValidPage(page);
    expect(page).toContain('The server of <strong>&lt;script&gt;');
  });
});

describe('token', () => {
  const tokens = [
    { id: 'a1', note: EVIL, created: '2026-01-01T00:00:00Z', lastActivity: null, expiresAt: null, scopes: ['inherit'], oauthClient: 'jupyterhub' },
    { id: 'a2', note: null, created: null, lastActivity: null, expiresAt: '2026-02-01T00:00:00Z',
      scopes: ['access:servers!server=alice/', 'read:users:name!user=alice', 'read:users:groups!user=alice', 'users:activity!user=alice'], oauthClient: 'Server at /user/alice/' },
  ];

  it('renders the request form, the token list and revoke buttons', () => {
    const page = renderTokenPage({ baseHubUrl: BASE, user: { name: 'alice' }, xsrf: 'X', tokens });
    expectValidPage(page);
    expect(page).toMatch(/<form method="post" action="\/hub\/token" id="token-form">/);
    expect(page).toContain('name="note"');
    for (const v of ['""', '"3600"', '"86400"', '"604800"', '"2592000"']) expect(page).toContain(`<option value=${v}>`);
    expect(page).toContain('name="expires_in"');
    expect(page).toMatch(/action="\/hub\/token\/revoke">\s*<input type="hidden" name="_xsrf" value="X">\s*<input type="hidden" name="id" value="a1">/);
    expect(page).toContain('id="revoke-a2"');
    expect(page).toContain('4 scopes');
    expect(page).not.toContain('id="new-token"');
  });

  it('offers the given scopes as unticked checkboxes (none ticked = all of yours)', () => {
    const page = renderTokenPage({ baseHubUrl: BASE, user: { name: 'alice' }, xsrf: 'X', tokens: [], scopeChoices: ['read:users!user=alice', EVIL] });
    expectValidPage(page);
    expect(page).toContain('<input type="checkbox" name="scopes" value="read:users!user=alice" id="token-scope-0">');
    expect(page).not.toMatch(/name="scopes"[^>]*checked/);
    expect(page).toContain('all of yours unless you limit them');
    expect(renderTokenPage({ baseHubUrl: BASE, user: { name: 'alice' }, xsrf: 'X', tokens: [] })).not.toContain('id="token-scopes"');
  });

  it('shows a new token once with a copy button', () => {
    const page = renderTokenPage({ baseHubUrl: BASE, user: { name: 'alice' }, xsrf: 'X', tokens: [], newToken: 'abc123' });
    expectValidPage(page, 1);
    expect(page).toContain('<code id="new-token">abc123</code>');
    expect(page).toContain('id="copy-token" hidden');
    expect(page).toContain('You have no tokens.');
  });
});

describe('error', () => {
  it('shows status, reason and message', () => {
    const page = renderError({ baseHubUrl: BASE, status: 404, message: EVIL, user: { name: 'alice' } });
    expectValidPage(page);
    expect(page).toContain('id="error-status">404<');
    expect(page).toContain('<h1>Not found</h1>');
    expect(page).toContain('href="/hub/home"');
  });

  it('shows a signed-in user their name, Logout and the way home instead of Sign in', () => {
    const page = renderError({ baseHubUrl: BASE, status: 400, message: 'bad', user: { name: 'alice', admin: true } });
    expectValidPage(page);
    expect(page).toContain('id="user-name"');
    expect(page).toContain('id="logout"');
    expect(page).toContain('id="nav-admin"');
    expect(page).not.toContain('Sign in');
  });

  it('retries a local URL only', () => {
    const page = renderError({ baseHubUrl: BASE, status: 503, message: '', retry: { url: '/user/alice/lab', seconds: 5 } });
    expectValidPage(page);
    expect(page).toContain('<meta http-equiv="refresh" content="5;url=/user/alice/lab">');
    expect(page).toContain('id="error-retry"');
    expect(renderError({ baseHubUrl: BASE, status: 503, message: '', retry: { url: 'javascript:x', seconds: 5 } })).not.toContain('http-equiv="refresh"');
  });

  it('explains the proxy error target 503', () => {
    const page = renderError({ baseHubUrl: BASE, status: 503, message: '' });
    expectValidPage(page);
    expect(page).toContain('Your server appears to be down');
    expect(page).toContain('href="/hub/login"');
    expect(statusReason(599)).toBe('Error');
  });
});

describe('admin', () => {
  it('renders users, servers and groups with their forms, escaping hostile names', () => {
    const page = renderAdmin({
      baseHubUrl: BASE, user: { name: 'root', admin: true }, xsrf: 'X', totalUsers: 3,
      users: [
        { name: 'root', admin: true, lastActivity: null, groups: [], servers: [] },
        { name: EVIL, admin: false, lastActivity: null, groups: [EVIL], servers: [{ name: 'gpu', state: 'running', profileName: 'A100', lastActivity: null, url: '/user/x/gpu/' }] },
      ],
      groups: [{ name: EVIL, members: [EVIL] }],
      notice: EVIL,
    });
    expectValidPage(page);
    expect(page).toContain('Showing 2 of 3 users.');
    expect(page).toContain('action="/hub/admin/users/%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E/delete"');
    expect(page).toContain('action="/hub/admin/groups/%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E/remove"');
    expect(page).not.toContain('action="/hub/admin/users/root/delete"');
    expect(page).toMatch(/name="admin" value="1" checked disabled/);
    expect(page).toContain('id="stop-all"');
    expect(page).toContain('id="admin-notice">&lt;script&gt;');
  });
});

describe('logout', () => {
  it('links back to login', () => {
    const page = renderLoggedOut({ baseHubUrl: BASE });
    expectValidPage(page);
    expect(page).toContain('id="login-again" href="/hub/login"');
  });
});

describe('oauth-confirm', () => {
  it('posts the scopes back with the xsrf token', () => {
    const page = renderOAuthConfirm({ baseHubUrl: BASE, user: { name: 'root' }, clientDescription: 'Server at /user/alice/',
      scopes: ['access:servers!server=alice/', 'read:users:name!user=root'], actionUrl: '/hub/api/oauth2/authorize?client_id=a&state=b', xsrf: 'X' });
    expectValidPage(page);
    expect(page).toContain('action="/hub/api/oauth2/authorize?client_id=a&amp;state=b"');
    expect(page).toContain('<input type="hidden" name="scopes" value="access:servers!server=alice/">');
    expect(page).toContain('name="_xsrf" value="X"');
    expect(page).toContain('id="authorize"');
    expect(page).toContain('Server at /user/alice/');
  });

  it('describes scopes and escapes unknown ones', () => {
    expect(describeScope('access:servers!server=alice/').value).toContain('(only server <strong>alice/</strong>)');
    expect(describeScope(EVIL).value).not.toContain('<script');
    const page = renderOAuthConfirm({ baseHubUrl: BASE, user: { name: EVIL }, clientDescription: EVIL, scopes: [EVIL], actionUrl: '/x', xsrf: 'X' });
    expectValidPage(page);
  });
});
