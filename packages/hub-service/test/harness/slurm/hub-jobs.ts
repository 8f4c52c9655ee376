/**
 * What the hub-level Slurm and PBS tests share: reading a job from the queue, a server's job id,
 * waiting for a start to end, the non-empty lists the config schema wants. Test tooling.
 */
import { execFileSync } from 'node:child_process';
import type { ServerModel, SshTransportConfig } from '@clusterhub/shared';
import type { TestLoginNodes } from '../login-node';
import { VENV_BIN } from '../repo-paths';
import type { TestHub } from '../hub-harness';
import { pollUntil, serverModel } from '../singleuser';

/** One line of `squeue --format=<format>` for a job (default `<user>|<state>|<reason>`), or '' once it left the queue. */
export function squeueOf(jobId: string, format = '%u|%T|%r'): string {
  try {
    return execFileSync('squeue', ['--noheader', '--jobs', jobId, `--format=${format}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** The batch job id in a server's spawner state (admin view). */
export function jobIdOf(model: ServerModel | undefined): string {
  const id = model?.state?.['jobId'];
  if (typeof id !== 'string') throw new Error(`no job id in ${JSON.stringify(model?.state)}`);
  return id;
}

/** A list the config schema wants non-empty (`[string, ...string[]]`). */
export function nonEmpty(list: readonly string[]): [string, ...string[]] {
  const [first, ...rest] = list;
  if (first === undefined) throw new Error('empty list');
  return [first, ...rest];
}

/** Waits until `user`'s default server failed or stopped (a start that ended) and returns its model. */
export function waitForEnded(t: TestHub, user: string, timeoutMs = 90_000): Promise<ServerModel> {
  return pollUntil(
    `${user}'s start to end`,
    async () => {
      const m = await serverModel(t, user, { includeStopped: true });
      return m && (m.lifecycle === 'failed' || m.lifecycle === 'stopped') ? m : undefined;
    },
    timeoutMs,
    500,
  );
}

/** Polls the hub (its own poll, then the model) until `user`'s default server stopped, e.g. at its walltime; returns the model. */
export function waitForStopped(t: TestHub, user: string, timeoutMs = 180_000): Promise<ServerModel> {
  return pollUntil(
    `${user}'s server to stop`,
    async () => {
      await t.hub.context.lifecycle.pollAll();
      const m = await serverModel(t, user, { includeStopped: true });
      return m && !m.ready && m.lifecycle === 'stopped' ? m : undefined;
    },
    timeoutMs,
    2000,
  );
}

/** The command a batch job runs: the venv's `batchspawner-singleuser jupyterhub-singleuser`. */
export const BATCH_SERVER_CMD: [string, ...string[]] = [`${VENV_BIN}/batchspawner-singleuser`, `${VENV_BIN}/jupyterhub-singleuser`];

/** A prologue that fails before the server starts, with a line in the job's output. */
export const FAILING_PROLOGUE = ['echo "module load failed: no such module" >&2', 'exit 3'];

/** A batch backend's `ssh` section for the test login nodes; the operator key comes from `keyEnv`. */
export function loginNodeSsh(nodes: TestLoginNodes, keyEnv: string): SshTransportConfig {
  return { hosts: nonEmpty(nodes.hosts), user: nodes.user, privateKeyEnv: keyEnv, hostKeys: nonEmpty(nodes.hostKeys), connectTimeoutSeconds: 3 };
}
