/**
 * A test probe installed under the scheduler programs' names (`sbatch`, `squeue`, …) in a folder
 * of its own, so the command layer's tests can see who ran a command, with which argument bytes
 * and which standard input, without a real scheduler. Production never points `commandDir` at it.
 *
 * What each name does:
 * - `scancel`: writes `scancel: probe refuses` to stderr and exits 3 (a non-zero exit status);
 * - `sinfo`: waits up to 15 s, one second at a time (to be timed out and killed);
 * - every other name: when the first argument is `--probe-touch=PATH`, creates PATH; then prints
 *   `uid N`, `user NAME`, one `arg HEX` line per argument and `stdin HEX` (bytes as hex).
 *
 * The folder is fixed (root-owned, beside other local programs) because the sudoers rule that
 * lets the operator run it must be the same file for every test run. Test tooling.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SCHEDULER_PROGRAMS } from '../../src/spawners/batch/commands/argv';

/** Where the probe is installed (root-owned, mode 0755). */
export const PROBE_DIR = '/usr/local/libexec/clusterhub-test-probe';

const PROBE_SCRIPT = `#!/bin/sh
# clusterhub test probe (packages/hub-service/test/harness/scheduler-probe.ts): reports who ran it,
# its arguments and its standard input as hex. Never used outside tests.
me=$(basename "$0")
if [ "$me" = scancel ]; then
  echo 'scancel: probe refuses' >&2
  exit 3
fi
if [ "$me" = sinfo ]; then
  i=0
  while [ "$i" -lt 15 ]; do sleep 1; i=$((i + 1)); done
  exit 0
fi
case "$1" in --probe-touch=*) : > "\${1#--probe-touch=}" ;; esac
printf 'uid %s\\n' "$(id -u)"
printf 'user %s\\n' "$(id -un)"
for a in "$@"; do
  printf 'arg %s\\n' "$(printf '%s' "$a" | od -An -v -tx1 | tr -d ' \\n')"
done
printf 'stdin %s\\n' "$(od -An -v -tx1 | tr -d ' \\n')"
`;

/** Writes `content` to `file` (mode `mode`) unless it already holds exactly that; atomic, so concurrent installs are safe. */
export function writeFileIdempotent(file: string, content: string, mode: number): void {
  let current: string | null = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = null;
  }
  if (current === content) return;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}`);
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
}

/** Installs the probe under every scheduler program's name in {@link PROBE_DIR} (as root). */
export function installSchedulerProbe(): void {
  mkdirSync(PROBE_DIR, { recursive: true, mode: 0o755 });
  chmodSync(PROBE_DIR, 0o755);
  for (const program of SCHEDULER_PROGRAMS) writeFileIdempotent(path.join(PROBE_DIR, program), PROBE_SCRIPT, 0o755);
}

/** What the probe reported. */
export interface ProbeReport {
  readonly uid: number;
  readonly user: string;
  /** The arguments as UTF-8 text. */
  readonly args: readonly string[];
  /** The standard input as UTF-8 text. */
  readonly stdin: string;
}

/** Decodes the probe's hex. */
function fromHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('utf8');
}

/**
 * Parses the probe's output.
 *
 * @throws Error when `stdout` is not a probe report.
 */
export function parseProbeReport(stdout: string): ProbeReport {
  let uid = Number.NaN;
  let user = '';
  let stdin: string | null = null;
  const args: string[] = [];
  for (const line of stdout.split('\n')) {
    const [key = '', value = ''] = line.split(' ', 2);
    if (key === 'uid') uid = Number(value);
    else if (key === 'user') user = value;
    else if (key === 'arg') args.push(fromHex(value));
    else if (key === 'stdin') stdin = fromHex(value);
  }
  if (Number.isNaN(uid) || stdin === null) throw new Error(`not a probe report: ${JSON.stringify(stdout)}`);
  return { uid, user, args, stdin };
}
