/**
 * The script of a user's batch job (the jobs API, not a server), as pure functions: the hub's
 * `#SBATCH` directives from the profile and the user's choices, the environment reset of seed 003,
 * the admin's prologue, then the user's own lines after a marker.
 *
 * Trust: the user's lines run as the user inside their own job, which is fine, but they must never
 * change the hub's directives. Slurm reads `#SBATCH` only up to the first command line, and the
 * hub's lines before the user's always hold commands, so a directive there would be ignored anyway;
 * {@link directiveLine} still finds such lines so that the API refuses them (400 naming the line)
 * instead of silently running something the user did not mean.
 */
import type { JobSpec } from '../job-spec';
import { assertSingleLine, environmentReset, prologueLines, shellQuote } from '../script-text';
import { SLURM_KEPT_VARIABLES, sbatchDirectives } from './sbatch-script';

/** The line between the hub's part of the script and the user's. */
export const USER_SCRIPT_MARKER = '# ---- the user\'s script (runs as the user; directives come from the hub above) ----';

/** The longest user script the hub takes (characters). */
export const MAX_USER_SCRIPT_LENGTH = 65_536;

/** A scheduler directive in any dialect the hub knows, with optional blanks (`#SBATCH`, `# SBATCH`, `#PBS`, any case). */
const DIRECTIVE = /^\s*#\s*(SBATCH|PBS)\b/i;

/** The first line (1-based) of `script` that is a scheduler directive, with its text; `null` when none. */
export function directiveLine(script: string): { readonly line: number; readonly text: string } | null {
  const lines = script.split(/\r\n|\r|\n/);
  const i = lines.findIndex((l) => DIRECTIVE.test(l));
  return i < 0 ? null : { line: i + 1, text: (lines[i] ?? '').slice(0, 120) };
}

/** What a batch job script needs besides the spec and the user's lines. */
export interface BatchJobScriptContext {
  readonly jobName: string;
  /** The cluster account it runs as (`USER`/`LOGNAME` when Slurm did not set them). */
  readonly user: string;
  /** The account's home: the job's working folder. */
  readonly home: string;
  /** The output file relative to the home (`%j`: job id). */
  readonly output: string;
  /** `PATH` inside the job. */
  readonly path: string;
}

/**
 * The whole script for `sbatch`'s standard input. Throws a `RangeError` for a value that cannot go
 * into it (a directive value with whitespace or a newline, NUL in the user's lines) or when the
 * user's lines hold a directive ({@link directiveLine}).
 */
export function renderBatchJobScript(spec: JobSpec, ctx: BatchJobScriptContext, userScript: string): string {
  if (userScript.includes('\0')) throw new RangeError('the script holds a NUL character');
  const directive = directiveLine(userScript);
  if (directive) throw new RangeError(`line ${directive.line} of the script is a scheduler directive`);
  return [
    '#!/bin/bash',
    ...sbatchDirectives(spec, ctx).map((d) => `#SBATCH ${d}`),
    '',
    ...environmentReset(SLURM_KEPT_VARIABLES, ctx.path),
    `[ -n "$HOME" ] || export HOME=${shellQuote(ctx.home)}`,
    `[ -n "$USER" ] || export USER=${shellQuote(assertSingleLine('user', ctx.user))}`,
    `[ -n "$LOGNAME" ] || export LOGNAME=${shellQuote(ctx.user)}`,
    ...(spec.prologue.length > 0 ? ['', '# Prologue (admin)', ...prologueLines(spec.prologue)] : []),
    '',
    USER_SCRIPT_MARKER,
    userScript.replace(/\r\n?/g, '\n').replace(/\n+$/, ''),
    '',
  ].join('\n');
}
