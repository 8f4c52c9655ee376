/**
 * `auth.pam`: the rules the JSON schema cannot express (the PAM service's file, the helper's
 * Python, an allow rule), each naming its key, and the resolved form the PAM authenticator takes.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isValidUserName, type HubConfig, type PamConfig } from '@clusterhub/shared';
import { findRepoRoot } from './defaults';
import { filled } from './filled';
import type { ResolvedPamConfig } from './types';

/** Where PAM keeps its service files. */
export const PAM_DIR = '/etc/pam.d';

function at(path: string, why: string): string {
  return `config error at ${path}: ${why}`;
}

/**
 * Problems of `auth.pam` (none when `auth.kind` is not pam), and a `spawner.systemUserTemplate`
 * other than `{username}` (a PAM user's servers run as that very account). `pamDir` is for tests.
 */
export function pamProblems(cfg: HubConfig, pamDir: string = PAM_DIR): string[] {
  const auth = cfg.auth ?? {};
  if (auth.kind !== 'pam') return [];
  const pam = auth.pam;
  if (pam === undefined) return [at('auth.pam', 'required when auth.kind is pam (at least an allow rule)')];
  const problems: string[] = [];
  const template = cfg.spawner?.systemUserTemplate;
  if (template !== undefined && template !== '{username}') {
    problems.push(at('spawner.systemUserTemplate', `must be {username} with auth.kind pam (servers run as the account that signed in; got ${JSON.stringify(template)})`));
  }
  const service = pam.service ?? 'login';
  if (!existsSync(join(pamDir, service))) problems.push(at('auth.pam.service', `no PAM service file ${join(pamDir, service)}`));
  if (pam.python !== undefined) {
    if (!isAbsolute(pam.python)) problems.push(at('auth.pam.python', `must be an absolute path (got ${JSON.stringify(pam.python)})`));
    else {
      try {
        accessSync(pam.python, constants.X_OK);
      } catch (err) {
        problems.push(at('auth.pam.python', `cannot run ${pam.python} (${(err as NodeJS.ErrnoException).code ?? String(err)})`));
      }
    }
  }
  const allowsSomebody =
    pam.allowAll === true || (pam.allowedUsers ?? []).length > 0 || (pam.allowedGroups ?? []).length > 0 || (pam.adminGroups ?? []).length > 0;
  if (!allowsSomebody) {
    problems.push(at('auth.pam.allowedGroups', 'nobody could log in: set allowedGroups, allowedUsers, adminGroups or allowAll: true'));
  }
  (pam.allowedUsers ?? []).forEach((name, i) => {
    if (!isValidUserName(name)) problems.push(at(`auth.pam.allowedUsers[${i}]`, `${JSON.stringify(name)} is not a valid user name`));
  });
  return problems;
}

/** The helper's Python by default: the setup's `.venv` (it has pamela, a JupyterHub dependency), else `python3`. */
export function defaultPamPython(repoRoot: string | null = findRepoRoot()): string {
  if (repoRoot !== null) {
    const inVenv = join(repoRoot, '.venv', 'bin', 'python');
    if (existsSync(inVenv)) return inVenv;
  }
  return 'python3';
}

/** `auth.pam` with its defaults (checks ran before). */
export function resolvePam(pam: PamConfig): ResolvedPamConfig {
  return {
    service: filled(pam.service, 'auth.pam.service'),
    python: pam.python ?? defaultPamPython(),
    timeoutSeconds: filled(pam.timeoutSeconds, 'auth.pam.timeoutSeconds'),
    minUid: filled(pam.minUid, 'auth.pam.minUid'),
    allowAll: filled(pam.allowAll, 'auth.pam.allowAll'),
    allowedUsers: filled(pam.allowedUsers, 'auth.pam.allowedUsers'),
    allowedGroups: filled(pam.allowedGroups, 'auth.pam.allowedGroups'),
    adminGroups: filled(pam.adminGroups, 'auth.pam.adminGroups'),
    manageGroups: filled(pam.manageGroups, 'auth.pam.manageGroups'),
  };
}
