/**
 * Defaults that the JSON schema cannot state because they are computed (listen ports that differ
 * between two uses of one definition, paths below the data folder, the setup's Python environment).
 * Plain defaults (`default` in the schema) are filled in by the validator.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the proxy listens for browsers by default. */
export const DEFAULT_PUBLIC_PORT = 8000;

/** Where the hub itself listens by default. */
export const DEFAULT_INTERNAL_PORT = 8081;

/** SQLite file name inside the data folder. */
export const DEFAULT_SQLITE_FILE = 'clusterhub.sqlite';

/** The folder inside the data folder that holds the servers' log files (the hub's, not the users'). */
export const SERVER_LOG_DIR = 'logs';

/** The single-user server command when the setup made no Python environment. */
export const SINGLEUSER_COMMAND = 'jupyterhub-singleuser';

/**
 * Variables copied from the hub's environment into every server: JupyterHub's
 * LocalProcessSpawner `env_keep` default.
 */
export const DEFAULT_ENV_KEEP: readonly string[] = [
  'PATH',
  'PYTHONPATH',
  'CONDA_ROOT',
  'CONDA_DEFAULT_ENV',
  'VIRTUAL_ENV',
  'LANG',
  'LC_ALL',
  'LD_LIBRARY_PATH',
  'JUPYTERHUB_SINGLEUSER_APP',
];

/** Most folders walked up when looking for the repository root. */
const MAX_WALK_UP = 32;

/** True when `dir/package.json` exists and is the repository root's (`"name": "clusterhub"`). */
function isRootPackage(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && (parsed as { name?: unknown }).name === 'clusterhub';
  } catch {
    return false;
  }
}

/**
 * The clusterhub checkout that holds `start`: the first folder at or above it that has a `.venv`
 * folder or the root `package.json` (named `clusterhub`). Null when there is none.
 */
export function findRepoRoot(start: string = __dirname): string | null {
  let dir = start;
  for (let i = 0; i < MAX_WALK_UP; i += 1) {
    if (existsSync(join(dir, '.venv')) || isRootPackage(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
  return null;
}

/**
 * The default command that starts a server: `jupyterhub-singleuser` from the Python environment
 * the setup created (`<repo>/.venv/bin`) when it exists, else the one on PATH.
 */
export function defaultSpawnerCmd(repoRoot: string | null = findRepoRoot()): string[] {
  if (repoRoot !== null) {
    const inVenv = join(repoRoot, '.venv', 'bin', SINGLEUSER_COMMAND);
    if (existsSync(inVenv)) return [inVenv];
  }
  return [SINGLEUSER_COMMAND];
}
