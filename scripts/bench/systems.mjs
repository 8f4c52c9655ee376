// The systems under test: clusterhub (the built hub), JupyterHub 6.1 from the venv, a standalone
// configurable-http-proxy, and the trivial backend behind both proxies.
/* global URL, fetch, performance, process */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { start, stopProc, freePort, waitHttp, onCleanup } from './procs.mjs';

export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
const CLI = join(ROOT, 'packages/hub-service/lib/cli/main.js');
const CHP = join(ROOT, 'node_modules/configurable-http-proxy/bin/configurable-http-proxy');
const JUPYTERHUB = join(ROOT, '.venv/bin/jupyterhub');
const PYTHON = join(ROOT, '.venv/bin/python');

/** A fresh random token (hex). */
export function newSecret() {
  return randomBytes(24).toString('hex');
}

/**
 * clusterhub through its CLI (`serve --config`), in `dir`, with an admin service token.
 * `extraConfig`: more top-level YAML lines (e.g. backends and profiles); `env`: more environment.
 * Returns { proc, apiUrl, publicUrl, token, stop() }.
 */
export async function startClusterhub(dir, { token = newSecret(), ports, extraConfig = [], env = {} } = {}) {
  mkdirSync(dir, { recursive: true });
  const [pub, internal] = ports ?? [await freePort(), await freePort()];
  const config = join(dir, 'bench-config.yaml');
  writeFileSync(
    config,
    [
      'hub:',
      `  public: { ip: 127.0.0.1, port: ${pub} }`,
      `  internal: { ip: 127.0.0.1, port: ${internal} }`,
      `  dataDir: ${JSON.stringify(join(dir, 'data'))}`,
      'services:',
      '  - name: bench',
      '    apiTokenEnv: BENCH_SERVICE_TOKEN',
      '    admin: true',
      ...extraConfig,
      '',
    ].join('\n'),
  );
  const t0 = performance.now();
  const proc = start(process.execPath, [CLI, 'serve', '--config', config], { role: 'server', logFile: join(dir, 'hub.log'), cwd: dir, env: { ...env, BENCH_SERVICE_TOKEN: token } });
  const apiUrl = `http://127.0.0.1:${internal}/hub/api`;
  return { proc, apiUrl, publicUrl: `http://127.0.0.1:${pub}`, token, ports: [pub, internal], t0, stop: () => stopProc(proc) };
}

/**
 * JupyterHub 6.1 from the venv with a generated config in `dir`: dummy authenticator, a service
 * `bench` with the admin role (its token is the admin token), CHP started by JupyterHub itself.
 */
export async function startJupyterHub(dir, { token = newSecret(), ports } = {}) {
  mkdirSync(dir, { recursive: true });
  const [pub, hubPort, proxyApi] = ports ?? [await freePort(), await freePort(), await freePort()];
  const config = join(dir, 'jupyterhub_config.py');
  writeFileSync(
    config,
    [
      `c.JupyterHub.ip = '127.0.0.1'`,
      `c.JupyterHub.port = ${pub}`,
      `c.JupyterHub.hub_ip = '127.0.0.1'`,
      `c.JupyterHub.hub_port = ${hubPort}`,
      `c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${proxyApi}'`,
      `c.ConfigurableHTTPProxy.command = [${JSON.stringify(CHP)}]`,
      `c.JupyterHub.db_url = 'sqlite:///' + ${JSON.stringify(join(dir, 'jupyterhub.sqlite'))}`,
      `c.JupyterHub.cookie_secret_file = ${JSON.stringify(join(dir, 'cookie_secret'))}`,
      `c.JupyterHub.authenticator_class = 'dummy'`,
      `c.Authenticator.allow_all = True`,
      `c.JupyterHub.cleanup_servers = False`,
      `c.JupyterHub.services = [{'name': 'bench', 'api_token': ${JSON.stringify(token)}}]`,
      `c.JupyterHub.load_roles = [{'name': 'admin', 'services': ['bench']}]`,
      '',
    ].join('\n'),
  );
  const t0 = performance.now();
  const proc = start(JUPYTERHUB, ['-f', config], { role: 'server', logFile: join(dir, 'hub.log'), cwd: dir, env: {} });
  const apiUrl = `http://127.0.0.1:${hubPort}/hub/api`;
  // JupyterHub stops the CHP it started (in a session of its own); should one outlive it, its pid file says which.
  const killProxy = () => {
    const pidFile = join(dir, 'jupyterhub-proxy.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 1) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  onCleanup(killProxy);
  const stop = async () => {
    await stopProc(proc);
    killProxy();
  };
  return { proc, apiUrl, token, ports: [pub, hubPort, proxyApi], t0, stop };
}

/** Waits until the hub's API answers an authenticated `GET path` with 200. */
export async function hubReady(hub, timeoutMs = 120_000, path = '/users?limit=1') {
  await waitHttp(`${hub.apiUrl}${path}`, { headers: { Authorization: `token ${hub.token}` }, timeoutMs, everyMs: 20, proc: hub.proc });
}

/** Adds rows for 10,000 (or `count`) users straight into a stopped JupyterHub's database (its ORM, from the venv). */
export async function seedJupyterHubUsers(dir, count, prefix) {
  const script = [
    'import sys',
    'from jupyterhub import orm',
    'db = orm.new_session_factory(sys.argv[1])()',
    'db.add_all([orm.User(name=f"{sys.argv[3]}{i}") for i in range(int(sys.argv[2]))])',
    'db.commit()',
  ].join('\n');
  const proc = start(PYTHON, ['-c', script, `sqlite:///${join(dir, 'jupyterhub.sqlite')}`, String(count), prefix], { role: 'load', logFile: join(dir, 'seed.log'), cwd: dir, env: {} });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`seeding JupyterHub's database failed (${code}); see ${join(dir, 'seed.log')}`);
}

/** Standalone configurable-http-proxy with a route `/user/bench` to `target`; `env`: more environment. */
export async function startChp(dir, target, { env = {} } = {}) {
  mkdirSync(dir, { recursive: true });
  const [port, apiPort] = [await freePort(), await freePort()];
  const token = newSecret();
  const proc = start(CHP, ['--ip', '127.0.0.1', '--port', String(port), '--api-ip', '127.0.0.1', '--api-port', String(apiPort)], {
    role: 'server',
    logFile: join(dir, 'chp.log'),
    cwd: dir,
    env: { ...env, CONFIGPROXY_AUTH_TOKEN: token },
  });
  const api = `http://127.0.0.1:${apiPort}/api/routes`;
  await waitHttp(api, { headers: { Authorization: `token ${token}` }, proc });
  const res = await fetch(`${api}/user/bench`, { method: 'POST', headers: { Authorization: `token ${token}` }, body: JSON.stringify({ target }) });
  if (res.status !== 201) throw new Error(`CHP refused the route: HTTP ${res.status}`);
  return { proc, url: `http://127.0.0.1:${port}`, stop: () => stopProc(proc) };
}

/** clusterhub's built-in proxy (in a real hub, scripts/bench/clusterhub-proxy.mjs) with a route `/user/bench/` to `target`; `env`: more environment. */
export async function startClusterhubProxy(dir, target, { env = {} } = {}) {
  mkdirSync(dir, { recursive: true });
  const [pub, internal] = [await freePort(), await freePort()];
  const proc = start(process.execPath, [join(ROOT, 'scripts/bench/clusterhub-proxy.mjs'), join(dir, 'data'), String(pub), String(internal), target], {
    role: 'server',
    logFile: join(dir, 'hub.log'),
    cwd: dir,
    env,
  });
  const url = `http://127.0.0.1:${pub}`;
  await waitHttp(`${url}/user/bench/`, { proc, timeoutMs: 60_000 });
  return { proc, url, stop: () => stopProc(proc) };
}

/** The trivial backend (11-byte HTTP answer, websocket echo) on the load generator's core. */
export async function startBackend(dir) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const proc = start(process.execPath, [join(ROOT, 'scripts/bench/backend.mjs'), String(port)], { role: 'load', logFile: join(dir, 'backend.log'), cwd: dir, env: {} });
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/`, { proc });
  return { proc, url, stop: () => stopProc(proc) };
}
