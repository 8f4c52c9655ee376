/**
 * The PAM check, run in a child process: Python with `pamela` (the PAM library JupyterHub's own
 * PAMAuthenticator uses), started without a shell, the service and user name as arguments, the
 * password on stdin (never in argv or the environment, which other local users may read). It
 * answers one JSON line: `{"ok": true, "uid": …, "groups": […]}` or `{"ok": false, "reason": …}`.
 */
import { spawn } from 'node:child_process';

/** What the helper says. */
export type PamAnswer =
  | { readonly ok: true; readonly uid: number; readonly groups: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * The helper program (`python -I -c`): authenticate + account management (no pam_setcred: the hub
 * opens no session), then the account's uid and Unix group names from NSS. Exit 0 with an answer;
 * any other exit is the helper failing (pamela missing, PAM broken).
 */
export const PAM_HELPER_SOURCE = `
import grp, json, os, pwd, sys
def answer(**fields):
    sys.stdout.write(json.dumps(fields) + "\\n")
    sys.exit(0)
import pamela
service, user = sys.argv[1], sys.argv[2]
password = sys.stdin.buffer.read().decode("utf-8")
try:
    pamela.authenticate(user, password, service=service, resetcred=0, check=True)
except pamela.PAMError as err:
    answer(ok=False, reason="PAM: %s" % (err,))
try:
    account = pwd.getpwnam(user)
except KeyError:
    answer(ok=False, reason="PAM accepted the password but there is no Unix account %s" % user)
names = set()
for gid in os.getgrouplist(user, account.pw_gid):
    try:
        names.add(grp.getgrgid(gid).gr_name)
    except KeyError:
        pass
answer(ok=True, uid=account.pw_uid, groups=sorted(names))
`;

/** Options of {@link runPamHelper}. */
export interface PamHelperOptions {
  readonly python: string;
  readonly service: string;
  readonly timeoutMs: number;
}

/** The helper's JSON answer, or a description of why there is none (thrown). */
function parseAnswer(stdout: string): PamAnswer {
  const parsed: unknown = JSON.parse(stdout);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('not a JSON object');
  const obj = parsed as Record<string, unknown>;
  if (obj.ok === true && typeof obj.uid === 'number' && Array.isArray(obj.groups) && obj.groups.every((g) => typeof g === 'string')) {
    return { ok: true, uid: obj.uid, groups: obj.groups as string[] };
  }
  if (obj.ok === false && typeof obj.reason === 'string') return { ok: false, reason: obj.reason };
  throw new Error('unexpected answer');
}

/**
 * Runs one PAM check for `user` with `password`.
 *
 * @throws Error when the helper cannot run, times out, fails or answers something else.
 */
export function runPamHelper(options: PamHelperOptions, user: string, password: string): Promise<PamAnswer> {
  return new Promise((resolve, reject) => {
    // -I: no user site-packages, no PYTHON* variables, no current folder on sys.path.
    const child = spawn(options.python, ['-I', '-c', PAM_HELPER_SOURCE, options.service, user], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
    });
    let timedOut = false;
    // Our own timer: spawn's `timeout` option keeps its timer when the program cannot start at all.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const why = timedOut ? `timed out after ${options.timeoutMs} ms` : `exited with ${code ?? signal}`;
        reject(new Error(`PAM helper ${why}: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`.trim()));
        return;
      }
      try {
        resolve(parseAnswer(stdout));
      } catch (err) {
        reject(new Error(`PAM helper answer unreadable (${err instanceof Error ? err.message : String(err)}): ${stdout.slice(0, 200)}`));
      }
    });
    // A closed pipe (the helper died early) is reported by 'close'; never let it throw here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(Buffer.from(password, 'utf8'));
  });
}
