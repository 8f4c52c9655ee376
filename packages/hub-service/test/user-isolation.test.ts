/**
 * User code never runs as the hub (issue 5, item 1), tested the way an attacker would: two users
 * start real jupyterhub-singleuser servers through the hub; the attacker runs Python in her own
 * kernel and tries to read the hub's cookie secret and database, the server logs, the hub's and
 * the victim's `/proc/<pid>/environ` (which hold the hub's secrets and the victim's server token),
 * the victim's files, and to signal the victim's server. Every attempt must fail with a permission
 * error. Needs root (as CI runs): only then can the hub run servers as per-user accounts.
 */
import { join } from 'node:path';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { isRecord, KernelChannel, serverPid, startKernel, startServerAndWait } from './harness/singleuser';

const AS_ROOT = process.getuid?.() === 0;

/** Python run in a kernel: tries each action and reports `ok`, or the exception's class name. */
function probeCode(targets: Record<string, string>): string {
  return [
    'import json, os',
    'def attempt(action):',
    '    try:',
    '        action()',
    '        return "ok"',
    '    except Exception as e:',
    '        return type(e).__name__',
    `targets = json.loads(${JSON.stringify(JSON.stringify(targets))})`,
    'def read(path):',
    '    with open(path, "rb") as f: f.read(1)',
    'report = {}',
    'for name, p in targets.items():',
    '    if name.startswith("list:"): report[name] = attempt(lambda: os.listdir(p))',
    '    elif name.startswith("kill:"): report[name] = attempt(lambda: os.kill(int(p), 0))',
    '    else: report[name] = attempt(lambda: read(p))',
    'report["uid"] = os.getuid()',
    'report["home"] = os.path.expanduser("~")',
    'json.dumps(report).encode().hex()',
  ].join('\n');
}

/** Decodes a kernel result made with `json.dumps(x).encode().hex()` (its text/plain is the quoted hex). */
function hexJson(text: string): unknown {
  return JSON.parse(Buffer.from(text.replace(/^'|'$/g, ''), 'hex').toString('utf8'));
}

(AS_ROOT ? describe : describe.skip)('user isolation with real servers (hub as root)', () => {
  let t: TestHub;
  let victimToken = '';
  let malloryToken = '';
  let victimPid = 0;
  let malloryChannel: KernelChannel | null = null;
  let victimChannel: KernelChannel | null = null;

  beforeAll(async () => {
    t = await startTestHub({ config: { hub: { logLevel: 'warn' } } });
    victimToken = await t.addUser('iso-victim');
    malloryToken = await t.addUser('iso-mallory');
    victimPid = serverPid(await startServerAndWait(t, 'iso-victim', victimToken));
    await startServerAndWait(t, 'iso-mallory', malloryToken);
    const victimUrl = `${t.publicUrl}/user/iso-victim/`;
    victimChannel = await KernelChannel.open(victimUrl, await startKernel(victimUrl, victimToken), victimToken);
    const malloryUrl = `${t.publicUrl}/user/iso-mallory/`;
    malloryChannel = await KernelChannel.open(malloryUrl, await startKernel(malloryUrl, malloryToken), malloryToken);
  }, 300_000);

  afterAll(async () => {
    await victimChannel?.close();
    await malloryChannel?.close();
    for (const name of ['iso-victim', 'iso-mallory']) {
      await fetch(`${t.apiUrl}/users/${name}/server`, { method: 'DELETE', headers: { authorization: `token ${t.adminToken}` } }).catch(() => undefined);
    }
    await t.stop();
  }, 120_000);

  it('keeps the hub\'s data, the hub\'s environment, and another user\'s process and files out of reach of a user\'s kernel', async () => {
    if (!victimChannel || !malloryChannel) throw new Error('kernels not started');
    // The victim keeps a private file in her home, written by her own kernel.
    const victimHome = hexJson(await victimChannel.execute('import os, json; open(os.path.expanduser("~/secret.txt"), "w").write("s3cret"); json.dumps(os.path.expanduser("~")).encode().hex()'));
    if (typeof victimHome !== 'string') throw new Error('no home');
    const targets: Record<string, string> = {
      cookieSecret: join(t.dataDir, 'cookie_secret'),
      database: join(t.dataDir, 'clusterhub.sqlite'),
      'list:dataDir': t.dataDir,
      victimLog: join(t.dataDir, 'logs', 'iso-victim', 'default.log'),
      hubEnviron: `/proc/${process.pid}/environ`,
      victimServerEnviron: `/proc/${victimPid}/environ`,
      victimFile: join(victimHome, 'secret.txt'),
      'list:victimHome': victimHome,
      [`kill:victimServer`]: String(victimPid),
    };
    const raw = await malloryChannel.execute(probeCode(targets));
    const report = hexJson(raw);
    if (!isRecord(report)) throw new Error(`bad report ${raw}`);
    expect(report['uid']).not.toBe(0);
    expect(report['home']).not.toBe(victimHome);
    expect(report).toMatchObject({
      cookieSecret: 'PermissionError',
      database: 'PermissionError',
      'list:dataDir': 'PermissionError',
      victimLog: 'PermissionError',
      hubEnviron: 'PermissionError',
      victimServerEnviron: 'PermissionError',
      victimFile: 'PermissionError',
      'list:victimHome': 'PermissionError',
      'kill:victimServer': 'PermissionError',
    });
  });

  it('gives each user\'s server its own uid and none of the hub\'s secrets in its environment', async () => {
    if (!victimChannel || !malloryChannel) throw new Error('kernels not started');
    const code = 'import os, json; json.dumps({"uid": os.getuid(), "keys": sorted(k for k in os.environ if "PROXY" in k or "COOKIE_SECRET" in k)}).encode().hex()';
    const victim = hexJson(await victimChannel.execute(code));
    const mallory = hexJson(await malloryChannel.execute(code));
    if (!isRecord(victim) || !isRecord(mallory)) throw new Error('bad report');
    expect(victim['uid']).not.toBe(mallory['uid']);
    expect(victim['uid']).not.toBe(0);
    expect(victim['keys']).toEqual([]);
    expect(mallory['keys']).toEqual([]);
  });
});
