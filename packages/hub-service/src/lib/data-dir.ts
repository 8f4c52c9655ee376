/**
 * The hub's data folder is private: mode 0700, and the files in it (SQLite database and its
 * journal, cookie secret, server logs) 0600, owned by the hub. Users' folders are never inside it.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** How deep below the data folder modes are tightened (`logs/<user>/<server>.log` is depth 3). */
const MAX_DEPTH = 3;

function tighten(dir: string, depth: number): void {
  chmodSync(dir, 0o700);
  if (depth >= MAX_DEPTH) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const st = lstatSync(path);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) tighten(path, depth + 1);
    else if (st.isFile() && (st.mode & 0o077) !== 0) chmodSync(path, 0o600);
  }
}

/**
 * Creates the data folder when missing and makes it and everything in it private to the hub
 * (folders 0700, files 0600; links are left alone). Also sets the process umask to 077, so every
 * file the hub creates later (SQLite journals, logs) is private too.
 */
export function secureDataDir(dataDir: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tighten(dataDir, 0);
}
