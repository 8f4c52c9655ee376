import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

/** How many lines of a failed job's output a start failure shows. */
export const OUTPUT_TAIL_LINES = 20;

/**
 * The last lines of a job's output file on this machine, read AS the job's account (never as the
 * hub: a link the user planted cannot make root read another file), with `runuser` when the hub is
 * root, directly when the hub is that account. Only for the local transport: over SSH the hub may
 * run nothing but the scheduler's commands, so it names the file instead. Null when unreadable.
 */
export function localOutputTail(account: string, file: string, lines = OUTPUT_TAIL_LINES): Promise<string | null> {
  const tail = ['tail', '-n', String(lines), '--', file];
  const uid = process.getuid?.() ?? -1;
  let argv: string[];
  if (uid === 0) argv = ['runuser', '-u', account, '--', ...tail];
  else if (userInfo().username === account) argv = tail;
  else return Promise.resolve(null);
  const [program = 'tail', ...args] = argv;
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 5000, maxBuffer: 64 * 1024, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } }, (err, stdout) => {
      resolve(err ? null : stdout.slice(-4000));
    });
  });
}
