/**
 * The real single-node Slurm 22.05 test cluster (munge, a private MariaDB with slurmdbd, slurmctld,
 * slurmd; GPUs and MIG slices declared as gres over character devices), started once per machine
 * session by `scripts/slurm/start.sh` and shared by every test file and jest worker: the script holds
 * a lock file, so a second caller waits and reuses the running cluster, and a cluster left by an
 * earlier run is reused when healthy or restarted cleanly. Needs root. Test tooling; see README.md.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../repo-paths';

/** How long a cold start may take on a busy 2-core machine (MariaDB initialisation included). */
export const SLURM_START_DEADLINE_MS = 240_000;

/** A partition of the test cluster. */
export interface SlurmPartition {
  readonly name: string;
  /** The partition jobs go to without `-p`. */
  readonly default: boolean;
}

/** One kind of generic resource on the node, e.g. `gpu` of type `a100` or the MIG slice `1g.5gb`. */
export interface SlurmGres {
  readonly name: string;
  readonly type: string;
  readonly count: number;
  /** The device indices Slurm reports for this type (`IDX:` in `sinfo`/`scontrol -d`). */
  readonly indices: readonly number[];
}

/** A Unix account jobs run as. */
export interface SlurmUser {
  readonly name: string;
  readonly uid: number;
  readonly home: string;
}

/** A Slurm account and the users associated with it. */
export interface SlurmAccount {
  readonly name: string;
  readonly users: readonly string[];
}

/** A QoS defined in the accounting database. */
export interface SlurmQos {
  readonly name: string;
  readonly maxWall?: string;
}

/** A user's association with an account (cluster-wide, no partition limit). */
export interface SlurmAssociation {
  readonly user: string;
  readonly account: string;
  /** The user's default account. */
  readonly default: boolean;
  readonly qos: readonly string[];
}

/** What the running test cluster offers, as `scripts/slurm/start.sh` configured it. */
export interface SlurmCluster {
  readonly clusterName: string;
  /** The one node's name (the machine's short host name). */
  readonly nodeName: string;
  readonly partitions: readonly SlurmPartition[];
  readonly gres: readonly SlurmGres[];
  readonly users: readonly SlurmUser[];
  readonly accounts: readonly SlurmAccount[];
  readonly qos: readonly SlurmQos[];
  readonly associations: readonly SlurmAssociation[];
  /** The configuration file every Slurm command reads (Slurm's default path). */
  readonly slurmConf: string;
  /** Scratch state: logs, state save, spool, the database, the gres devices. */
  readonly scratchDir: string;
}

const SCRIPTS = path.join(REPO_ROOT, 'scripts', 'slurm');

let started: Promise<SlurmCluster> | null = null;

/**
 * Starts the test cluster, or reuses the one already running, and describes it. Idempotent: one
 * start per process, and the script's lock makes concurrent callers in other processes wait and reuse.
 * Rejects with the script's own message (e.g. a site's `/etc/slurm/slurm.conf` it will not overwrite).
 */
export function ensureSlurmCluster(): Promise<SlurmCluster> {
  if (!started) {
    started = runScript('start.sh', SLURM_START_DEADLINE_MS).then(parseCluster);
    started.catch(() => {
      started = null;
    });
  }
  return started;
}

/** Stops the test cluster (jobs cancelled, daemons stopped); its state stays for the next start. */
export async function stopSlurmCluster(): Promise<void> {
  started = null;
  await runScript('stop.sh', 120_000);
}

/**
 * Stops only slurmctld (a scheduler outage): running jobs go on under slurmd, Slurm commands fail
 * (`squeue` after ~18 s of retries). Other callers of {@link ensureSlurmCluster} wait (up to 5 minutes)
 * for {@link startSlurmController} instead of restarting the cluster.
 */
export async function stopSlurmController(): Promise<void> {
  await runScript('controller.sh', 60_000, ['stop']);
}

/** Starts slurmctld again with its saved state and waits until the node is usable. */
export async function startSlurmController(): Promise<void> {
  await runScript('controller.sh', 120_000, ['start']);
}

/** The default partition's name. */
export function defaultPartition(cluster: SlurmCluster): string {
  const found = cluster.partitions.find((p) => p.default);
  if (!found) throw new Error('the test cluster has no default partition');
  return found.name;
}

/** The account `name`'s details; throws when the cluster does not have it. */
export function clusterUser(cluster: SlurmCluster, name: string): SlurmUser {
  const found = cluster.users.find((u) => u.name === name);
  if (!found) throw new Error(`the test cluster has no user ${name}`);
  return found;
}

function runScript(name: string, timeoutMs: number, args: readonly string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(SCRIPTS, name), ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`scripts/slurm/${name} failed (${signal ?? `exit ${String(code)}`}): ${stderr.trim()}`));
    });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`cluster description: ${key} is not a string`);
  return v;
}

function arrayField(o: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const v = o[key];
  if (!Array.isArray(v) || !v.every(isRecord)) throw new Error(`cluster description: ${key} is not a list of objects`);
  return v;
}

function stringList(v: unknown, key: string): string[] {
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw new Error(`cluster description: ${key} is not a list of strings`);
  return v;
}

/** Reads the JSON description that `start.sh` prints. */
export function parseCluster(text: string): SlurmCluster {
  const o: unknown = JSON.parse(text);
  if (!isRecord(o)) throw new Error('cluster description is not an object');
  return {
    clusterName: stringField(o, 'clusterName'),
    nodeName: stringField(o, 'nodeName'),
    partitions: arrayField(o, 'partitions').map((p) => ({ name: stringField(p, 'name'), default: p.default === true })),
    gres: arrayField(o, 'gres').map((g) => ({
      name: stringField(g, 'name'),
      type: stringField(g, 'type'),
      count: Number(g.count),
      indices: Array.isArray(g.indices) ? g.indices.map(Number) : [],
    })),
    users: arrayField(o, 'users').map((u) => ({ name: stringField(u, 'name'), uid: Number(u.uid), home: stringField(u, 'home') })),
    accounts: arrayField(o, 'accounts').map((a) => ({ name: stringField(a, 'name'), users: stringList(a.users, 'accounts.users') })),
    qos: arrayField(o, 'qos').map((q) => (typeof q.maxWall === 'string' ? { name: stringField(q, 'name'), maxWall: q.maxWall } : { name: stringField(q, 'name') })),
    associations: arrayField(o, 'associations').map((a) => ({
      user: stringField(a, 'user'),
      account: stringField(a, 'account'),
      default: a.default === true,
      qos: stringList(a.qos, 'associations.qos'),
    })),
    slurmConf: stringField(o, 'slurmConf'),
    scratchDir: stringField(o, 'scratchDir'),
  };
}
