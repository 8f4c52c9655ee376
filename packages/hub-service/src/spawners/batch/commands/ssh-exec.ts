/**
 * One command on an SSH connection: the exec, its input, output, exit status and timeout, and
 * what a failure means for whether the command ran.
 */
import type { Client, ClientChannel } from 'ssh2';
import { exitStatus } from './exit-status';
import { SchedulerUnreachableError, type CommandResult } from './types';

/** The command did not start on this login node (it could not be reached, or refused the session): safe to try elsewhere. */
export class NotStartedError extends Error {
  override readonly name: string = 'NotStartedError';
}

/** The message of an unknown thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `commandLine` on a ready client, writes `stdin` and closes it, and resolves with the exit
 * status and output once the channel closes.
 *
 * @throws NotStartedError when the session could not be opened (nothing ran).
 * @throws SchedulerUnreachableError when the connection drops while it runs, the exec request
 *   fails after it was sent, or it outlives `timeoutMs` (its outcome is unknown; the channel is
 *   closed, but the remote program is not killed: ssh2 cannot signal a session whose input is
 *   closed).
 */
export function execCommand(client: Client, label: string, commandLine: string, stdin: string, timeoutMs: number): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve, reject) => {
    let channel: ClientChannel | null = null;
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    };
    const timer = setTimeout(() => {
      settle(() => {
        // ssh2 sends no signal once standard input is closed (always, here): closing the channel
        // is all the client can do; the remote program runs on until it ends by itself.
        channel?.close();
        reject(new SchedulerUnreachableError(`the command did not finish within ${timeoutMs} ms on login node ${label}; its outcome is unknown`));
      });
    }, timeoutMs);
    const onStarted = (err: Error | undefined, ch: ClientChannel): void => {
      if (err !== undefined) {
        settle(() => reject(startFailure(label, err)));
        return;
      }
      channel = ch;
      if (settled) {
        ch.close();
        return;
      }
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let status: number | null = null;
      ch.on('data', (chunk: Buffer) => stdout.push(chunk));
      ch.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      ch.on('exit', (code: number | null, signal?: string) => {
        status = exitStatus(code, signal ?? null);
      });
      ch.on('error', () => undefined);
      ch.on('close', () => {
        settle(() => {
          if (status === null) {
            reject(new SchedulerUnreachableError(`the connection to login node ${label} was lost while the command ran; its outcome is unknown`));
            return;
          }
          resolve({ code: status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), host: label });
        });
      });
      ch.end(stdin);
    };
    try {
      client.exec(commandLine, onStarted);
    } catch (err) {
      // ssh2 throws "Not connected" when the socket is already gone: nothing was sent.
      settle(() => reject(new NotStartedError(`${label}: ${messageOf(err)}`)));
    }
  });
}

/**
 * What an error from opening the session means. A channel open failure (the server's refusal,
 * which carries a `reason`) or a connection lost before the channel opened ("No response from
 * server") means nothing ran; anything later (the exec request was sent) leaves the outcome unknown.
 */
function startFailure(label: string, err: Error): Error {
  const refusedOpen = 'reason' in err || err.message === 'No response from server' || err.message === 'No free channels available' || err.message === 'Channel is not open';
  if (refusedOpen) return new NotStartedError(`${label}: ${err.message}`);
  return new SchedulerUnreachableError(`login node ${label} failed to start the command (${err.message}); its outcome is unknown`);
}
