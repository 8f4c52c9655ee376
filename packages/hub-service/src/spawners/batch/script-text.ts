/**
 * Pieces of a batch job script shared by the Slurm and PBS dialects, as pure functions: shell
 * quoting, the environment reset, the exports and the `exec` line. Defense in depth: every value
 * that goes into a script is refused here when it holds a newline, a carriage return or NUL, even
 * though callers validated it before.
 */

/** What a job script needs besides the job spec (both dialects). */
export interface JobScriptContext {
  /** The job's name, e.g. from {@link jobName}. */
  readonly jobName: string;
  /** The cluster account the job runs as (`USER`/`LOGNAME` when the scheduler did not set them). */
  readonly user: string;
  /** The user's home on the cluster: the job's working folder, and `HOME` when the scheduler did not set it. */
  readonly home: string;
  /** The output file relative to the home (`%j`: job id), the backend's `output`. */
  readonly output: string;
  /** `PATH` inside the job, the backend's `path`. */
  readonly path: string;
  /** The environment the server needs (hub's, profile's, backend's): exported after the prologue. */
  readonly env: Readonly<Record<string, string>>;
  /** The command the job runs, the backend's `cmd`. */
  readonly cmd: readonly string[];
}

/** An absolute path a directive or argument can carry: no whitespace, no newline. */
export const ABSOLUTE_PATH = /^\/[^\s\0]*$/;

/** The output file name: relative, the schema's grammar, no `..`. */
export const OUTPUT_FILE = /^(?!.*\.\.)[A-Za-z0-9_.%-][A-Za-z0-9_./%-]*$/;

/** Throws unless the context's home is an absolute path and its output a relative file name. */
export function checkPaths(ctx: Pick<JobScriptContext, 'home' | 'output'>): void {
  if (!ABSOLUTE_PATH.test(ctx.home)) throw new RangeError(`home ${JSON.stringify(ctx.home.slice(0, 200))}: an absolute path without whitespace`);
  if (!OUTPUT_FILE.test(ctx.output)) throw new RangeError(`output ${JSON.stringify(ctx.output.slice(0, 200))}: a relative file name (letters, digits, _ . / % -)`);
}

/**
 * The body every job script shares after its directives: the environment reset, `HOME`/`USER`/
 * `LOGNAME` when the scheduler did not set them, the admin's prologue, the exports and `exec`.
 */
export function scriptBody(prologue: readonly string[], ctx: JobScriptContext, keep: KeptVariables): string[] {
  return [
    ...environmentReset(keep, ctx.path),
    `[ -n "$HOME" ] || export HOME=${shellQuote(ctx.home)}`,
    `[ -n "$USER" ] || export USER=${shellQuote(ctx.user)}`,
    `[ -n "$LOGNAME" ] || export LOGNAME=${shellQuote(ctx.user)}`,
    '',
    ...(prologue.length > 0 ? ['# Prologue (admin)', ...prologueLines(prologue), ''] : []),
    ...exportLines(ctx.env, keep),
    '',
    execLine(ctx.cmd),
    '',
  ];
}

/** Environment variable names a script may export. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Throws when `value` could end a script line (newline, carriage return) or a C string (NUL). */
export function assertSingleLine(what: string, value: string): string {
  if (/[\n\r\0]/.test(value)) throw new RangeError(`${what}: a newline, carriage return or NUL cannot go into a job script`);
  return value;
}

/** Throws when `value` is not a directive value: single line, no whitespace, not empty. */
export function assertDirectiveValue(what: string, value: string): string {
  assertSingleLine(what, value);
  if (value === '' || /\s/.test(value)) throw new RangeError(`${what}: a job script directive value cannot be empty or contain whitespace`);
  return value;
}

/** Quotes `value` for bash: single quotes, `'` written as `'\''`. Refuses newlines and NUL. */
export function shellQuote(value: string): string {
  assertSingleLine('a quoted value', value);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Job names the hub gives its jobs: `<prefix>-<server id>`, e.g. `clusterhub-42`. */
export const JOB_NAME_PREFIX = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

/**
 * The name of the job that runs server `serverId`: `<prefix>-<serverId>` (`clusterhub-42`).
 * Throws for a prefix outside {@link JOB_NAME_PREFIX} or an id that is not a positive integer.
 */
export function jobName(serverId: number, prefix = 'clusterhub'): string {
  if (!JOB_NAME_PREFIX.test(prefix)) throw new RangeError(`job name prefix ${JSON.stringify(prefix)}: letters, digits, _ and - only`);
  if (!Number.isSafeInteger(serverId) || serverId < 1) throw new RangeError(`server id ${serverId}: a positive integer`);
  return `${prefix}-${serverId}`;
}

/** The server id of a hub job name (`clusterhub-42` → 42), or `null` when the name is not one. */
export function serverIdOfJobName(name: string, prefix = 'clusterhub'): number | null {
  if (!name.startsWith(`${prefix}-`)) return null;
  const rest = name.slice(prefix.length + 1);
  return /^[1-9][0-9]{0,15}$/.test(rest) && Number.isSafeInteger(Number(rest)) ? Number(rest) : null;
}

/** Variables the environment reset keeps: they come from the scheduler or the login, never from the hub. */
export interface KeptVariables {
  /** Exact names, e.g. `HOME`. */
  readonly names: readonly string[];
  /** Name prefixes, e.g. `SLURM_`. */
  readonly prefixes: readonly string[];
}

/** True when `name` is one of the kept variables. */
export function isKept(keep: KeptVariables, name: string): boolean {
  return keep.names.includes(name) || keep.prefixes.some((p) => name.startsWith(p));
}

/**
 * Bash lines that reset the environment (seed 003): every exported variable except the kept ones is
 * unset, then `PATH` is set to `path`. `compgen -e` lists exported names; read-only ones stay.
 */
export function environmentReset(keep: KeptVariables, path: string): string[] {
  for (const n of [...keep.names, ...keep.prefixes]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new RangeError(`kept variable ${JSON.stringify(n)} is not a variable name`);
  }
  const patterns = [...keep.names, ...keep.prefixes.map((p) => `${p}*`)].join('|');
  return [
    '# Reset the environment: keep only what the scheduler and the login set, then what the server needs.',
    'for __clusterhub_var in $(compgen -e); do',
    `  case "$__clusterhub_var" in ${patterns}) ;; *) unset "$__clusterhub_var" 2>/dev/null ;; esac`,
    'done',
    'unset __clusterhub_var',
    `export PATH=${shellQuote(path)}`,
  ];
}

/**
 * `export NAME='value'` lines for `env`, in key order. Refuses a name that is not a variable name
 * and a name the reset keeps (`CUDA_VISIBLE_DEVICES`, `SLURM_*`, `HOME`, …: the scheduler's, never
 * the hub's); values are single-quoted and refused when they hold a newline or NUL.
 */
export function exportLines(env: Readonly<Record<string, string>>, keep: KeptVariables): string[] {
  return Object.keys(env)
    .sort()
    .map((name) => {
      if (!ENV_NAME.test(name)) throw new RangeError(`environment name ${JSON.stringify(name.slice(0, 64))} is not a variable name`);
      if (isKept(keep, name) || name === 'PATH') throw new RangeError(`environment name ${name}: set by the scheduler or the backend's path, not by the hub`);
      return `export ${name}=${shellQuote(assertSingleLine(`environment ${name}`, env[name] ?? ''))}`;
    });
}

/** `exec 'cmd' 'arg'…`: the server replaces the script's shell (no `srun`, so MPI works inside it). */
export function execLine(cmd: readonly string[]): string {
  if (cmd.length === 0) throw new RangeError('the job command is empty');
  return `exec ${cmd.map(shellQuote).join(' ')}`;
}

/** The admin's prologue lines, each checked to be one line. */
export function prologueLines(prologue: readonly string[]): string[] {
  return prologue.map((line, i) => assertSingleLine(`prologue line ${i + 1}`, line));
}
