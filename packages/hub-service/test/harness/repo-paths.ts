/**
 * Paths inside this checkout, found from this file's own place, so tests run from a clone in any
 * folder (never an absolute path of one machine).
 */
import * as path from 'node:path';

/** The repository root (the folder with the root `package.json`). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');
/** `bin/` of the Python venv that `scripts/setup-python.sh` creates. */
export const VENV_BIN = path.join(REPO_ROOT, '.venv', 'bin');
/** The venv's Python (jupyterhub, JupyterLab and the idle culler are installed there). */
export const VENV_PYTHON = path.join(VENV_BIN, 'python');
