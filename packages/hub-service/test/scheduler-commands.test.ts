/**
 * The scheduler command layer (src/spawners/batch/commands) against real login nodes: private
 * OpenSSH servers on loopback, an operator account with a sudoers rule, and the test probe
 * installed under the scheduler programs' names (test/harness/scheduler-probe.ts), which reports
 * the uid, argument bytes and standard input it got.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createCommandRunner, type CommandRunnerOptions } from '../src/spawners/batch/commands';
import { SshCommandRunner, type SshRunnerOptions } from '../src/spawners/batch/commands/ssh-runner';
import { CommandRefusedError, SchedulerUnreachableError, type CommandRunner, type SchedulerProgram } from '../src/spawners/batch/commands/types';
import { findFreePort } from '../src/spawners/local-process/free-port';
import { startLoginNodes, type TestLoginNodes } from './harness/login-node';
import { parseProbeReport, PROBE_DIR } from './harness/scheduler-probe';
import { pollUntil } from './harness/singleuser';

const AS_ROOT = process.getuid?.() === 0;

/** Arguments that would run something else, comment something out or expand, if any shell saw them. */
const NASTY: readonly string[] = [
  '--job-name=x; touch /tmp/clusterhub-pwned',
  '$(id -u)',
  '`id -u`',
  'a\nb',
  '\n#SBATCH --uid=0\n',
  "'",
  "it's",
  "' ; id ; '",
  '"',
  '$HOME',
  '#not a comment',
  '*',
  '/etc/*',
  '?',
  '[a-z]*',
  '~',
  '{a,b}',
  '|',
  '&&',
  '>/tmp/clusterhub-pwned',
  '\\',
  '',
  ' ',
  '\t\r',
  '-u',
  '--',
  'é ü 日本 🎉',
];

/** A job script as sbatch would get it on standard input. */
const SCRIPT = "#!/bin/bash\n#SBATCH --job-name=probe\necho \"$HOME\" '$(id)' `date`\n\n\u00e9\n";

/** How many SSH logins a node accepted so far. */
function logins(cluster: TestLoginNodes, index: number): number {
  return cluster.nodes[index]?.log().split('Accepted publickey for hubop').length ?? 0;
}

/** Pids of processes whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

/** A folder every account may write in (the probe creates marker files there as alice). */
function sharedFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'clusterhub-probe-'));
  chmodSync(dir, 0o777);
  return dir;
}

(AS_ROOT ? describe : describe.skip)('scheduler commands on real login nodes (sshd, sudo)', () => {
  let cluster: TestLoginNodes;
  let aliceUid: number;
  let hubopUid: number;
  let scratch: string;
  const runners: CommandRunner[] = [];

  /** An SSH runner on the test nodes through sudo, with `overrides`; closed after the test. */
  function sshRunner(overrides: Partial<SshRunnerOptions> = {}): CommandRunner {
    const runner = new SshCommandRunner({
      sudo: true,
      commandDir: PROBE_DIR,
      hosts: cluster.hosts,
      user: cluster.user,
      privateKey: cluster.privateKey,
      hostKeys: cluster.hostKeys,
      connectTimeoutMs: 10_000,
      keepaliveMs: 5_000,
      ...overrides,
    });
    runners.push(runner);
    return runner;
  }

  /** A runner from {@link createCommandRunner}; closed after the test. */
  function created(opts: CommandRunnerOptions): CommandRunner {
    const runner = createCommandRunner(opts);
    runners.push(runner);
    return runner;
  }

  beforeAll(async () => {
    cluster = await startLoginNodes(2);
    aliceUid = Number(execFileSync('id', ['-u', 'alice'], { encoding: 'utf8' }));
    hubopUid = Number(execFileSync('id', ['-u', cluster.user], { encoding: 'utf8' }));
    scratch = sharedFolder();
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.close()));
    for (const node of cluster.nodes) if (!node.running) await node.start();
  });

  afterAll(async () => {
    await cluster?.stop();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it('over SSH, runs as alice through sudo: nasty arguments arrive byte-exact and the script on stdin', async () => {
    const runner = created({
      transport: 'ssh',
      sudo: true,
      commandDir: PROBE_DIR,
      ssh: { hosts: cluster.hosts, user: cluster.user, privateKey: cluster.privateKey, hostKeys: cluster.hostKeys, connectTimeoutMs: 10_000, keepaliveMs: 5_000 },
    });
    const result = await runner.run({ program: 'sbatch', args: NASTY, asUser: 'alice', stdin: SCRIPT });
    expect(result).toMatchObject({ code: 0, stderr: '', host: cluster.hosts[0] });
    expect(parseProbeReport(result.stdout)).toEqual({ uid: aliceUid, user: 'alice', args: NASTY, stdin: SCRIPT });
    expect(existsSync('/tmp/clusterhub-pwned')).toBe(false);
    expect(runner.description).toBe(`ssh hubop@${cluster.hosts.join(',')} (sudo)`);
  });

  it('locally, runs as alice through sudo with the same bytes', async () => {
    const runner = created({ transport: 'local', sudo: true, commandDir: PROBE_DIR });
    const result = await runner.run({ program: 'qsub', args: NASTY, asUser: 'alice', stdin: SCRIPT });
    expect(result).toMatchObject({ code: 0, stderr: '', host: 'local' });
    expect(parseProbeReport(result.stdout)).toEqual({ uid: aliceUid, user: 'alice', args: NASTY, stdin: SCRIPT });
  });

  it('runs as the operator when no user is asked for, and reports a non-zero exit status as a result', async () => {
    const runner = sshRunner();
    const own = await runner.run({ program: 'squeue', args: ['--noheader'] });
    expect(parseProbeReport(own.stdout)).toMatchObject({ uid: hubopUid, args: ['--noheader'], stdin: '' });
    for (const r of [runner, created({ transport: 'local', sudo: true, commandDir: PROBE_DIR })]) {
      const failed = await r.run({ program: 'scancel', args: ['12'], asUser: 'bob' });
      expect(failed).toMatchObject({ code: 3, stdout: '', stderr: 'scancel: probe refuses\n' });
    }
  });

  it('uses one connection for every command, also for more concurrent commands than the server allows sessions', async () => {
    const before = logins(cluster, 0);
    const runner = sshRunner();
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => runner.run({ program: 'squeue', args: ['-j', String(i)], asUser: i % 2 === 0 ? 'alice' : 'bob', stdin: `job ${i}` })),
    );
    results.forEach((result, i) => {
      expect(parseProbeReport(result.stdout)).toMatchObject({ user: i % 2 === 0 ? 'alice' : 'bob', args: ['-j', String(i)], stdin: `job ${i}` });
    });
    await runner.run({ program: 'sacct', args: [] });
    expect(logins(cluster, 0) - before).toBe(1);
  });

  it('refuses a login node whose host key is not pinned, and runs nothing there', async () => {
    const node0 = cluster.nodes[0];
    if (node0 === undefined) throw new Error('no node');
    const marker = path.join(scratch, 'wrong-key');
    const command = { program: 'sbatch' as SchedulerProgram, args: [`--probe-touch=${marker}`], asUser: 'alice' };
    const before = logins(cluster, 0);
    const wrongKey = sshRunner({ hosts: [node0.host], hostKeys: [cluster.hostKeys[1] ?? ''] });
    await expect(wrongKey.run(command)).rejects.toThrow(SchedulerUnreachableError);
    await expect(wrongKey.run(command)).rejects.toThrow(SchedulerUnreachableError);
    const noPins = sshRunner({ hosts: [node0.host], hostKeys: [] });
    const refusal = await noPins.run(command).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(SchedulerUnreachableError);
    expect((refusal as Error).message).toContain(`host key ${node0.fingerprint} refused: no host key is pinned (ssh.hostKeys)`);
    const wrong = await sshRunner({ hosts: [node0.host], hostKeys: [cluster.hostKeys[1] ?? ''] })
      .run(command)
      .catch((err: unknown) => err);
    expect((wrong as Error).message).toContain(`${node0.host}: host key ${node0.fingerprint} is not one of the pinned keys`);
    expect(existsSync(marker)).toBe(false);
    expect(logins(cluster, 0)).toBe(before);
    // The same command with the right key does run (so the probe would have shown a run).
    await sshRunner({ hosts: [node0.host] }).run(command);
    expect(existsSync(marker)).toBe(true);
  });

  it('uses the second login node when the first is down', async () => {
    await cluster.nodes[0]?.stop();
    const runner = sshRunner();
    const ran = await runner.run({ program: 'squeue', args: [], asUser: 'bob' });
    expect(ran.host).toBe(cluster.hosts[1]);
    expect(parseProbeReport(ran.stdout).user).toBe('bob');
    // Once the first is back, the runner stays on the node that works.
    await cluster.nodes[0]?.start();
    expect((await runner.run({ program: 'squeue', args: [] })).host).toBe(cluster.hosts[1]);
  });

  it('reconnects on the next command after the server dropped the connection, and after an sshd restart', async () => {
    const node0 = cluster.nodes[0];
    if (node0 === undefined) throw new Error('no node');
    const runner = sshRunner({ hosts: [node0.host] });
    const before = logins(cluster, 0);
    await runner.run({ program: 'squeue', args: [], asUser: 'alice' });
    expect(await node0.dropConnections()).toBeGreaterThan(0);
    const again = await runner.run({ program: 'squeue', args: ['after-drop'], asUser: 'alice' });
    expect(parseProbeReport(again.stdout).args).toEqual(['after-drop']);
    expect(logins(cluster, 0) - before).toBe(2);
    await node0.stop();
    await expect(runner.run({ program: 'squeue', args: [] })).rejects.toThrow(SchedulerUnreachableError);
    await node0.start();
    // The failed attempt set a backoff (1 s by default here); the runner connects again after it.
    const back = await pollUntil('the runner reconnects', async () => runner.run({ program: 'squeue', args: ['back'] }).catch(() => undefined), 15_000);
    expect(parseProbeReport(back.stdout).args).toEqual(['back']);
  });

  it('notices a login node gone silent through keepalives, and the next command runs on a new connection', async () => {
    const node0 = cluster.nodes[0];
    if (node0 === undefined) throw new Error('no node');
    // Keepalives every 200 ms; a command timeout far beyond what three missed keepalives take.
    const runner = sshRunner({ hosts: [node0.host], keepaliveMs: 200, defaultTimeoutMs: 60_000 });
    const before = logins(cluster, 0);
    await runner.run({ program: 'squeue', args: [] });
    expect(await node0.freezeConnections()).toBe(1);
    const after = await runner.run({ program: 'squeue', args: ['after-silence'], asUser: 'bob' });
    expect(parseProbeReport(after.stdout)).toMatchObject({ user: 'bob', args: ['after-silence'] });
    expect(logins(cluster, 0) - before).toBe(2);
    await node0.dropConnections();
  });

  it('fails a command in flight on a dropped connection with SchedulerUnreachableError', async () => {
    const node0 = cluster.nodes[0];
    if (node0 === undefined) throw new Error('no node');
    const runner = sshRunner({ hosts: [node0.host] });
    const marker = `in-flight-${process.pid}-${Date.now()}`;
    const inFlight = runner.run({ program: 'sinfo', args: [marker], asUser: 'alice' }).catch((e: unknown) => e);
    await pollUntil('the probe runs', async () => (processesWith(marker).length > 0 ? true : undefined), 15_000);
    await node0.dropConnections();
    const err = await inFlight;
    expect(err).toBeInstanceOf(SchedulerUnreachableError);
    expect((err as Error).message).toContain('was lost while the command ran; its outcome is unknown');
  });

  it('reports SchedulerUnreachableError naming every login node when none can be reached', async () => {
    const ports = [await findFreePort('127.0.0.1'), await findFreePort('127.0.0.1')];
    const hosts = ports.map((p) => `127.0.0.1:${p}`);
    const runner = sshRunner({ hosts, connectTimeoutMs: 5_000 });
    const err = await runner.run({ program: 'squeue', args: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchedulerUnreachableError);
    for (const host of hosts) expect((err as Error).message).toContain(`${host}: connect ECONNREFUSED`);
    // Right after, both are in backoff: refused at once, saying when the next attempt is.
    await expect(runner.run({ program: 'squeue', args: [] })).rejects.toThrow(/next attempt in [0-9]+ s/);
  });

  it('refuses a program outside the list, root and NUL before anything runs', async () => {
    // Nothing listens there: had the runner tried to run anything, it would report the node unreachable.
    const closed = `127.0.0.1:${await findFreePort('127.0.0.1')}`;
    const ssh = sshRunner({ hosts: [closed] });
    const local = created({ transport: 'local', sudo: true, commandDir: PROBE_DIR });
    for (const runner of [ssh, local]) {
      await expect(runner.run({ program: 'id' as SchedulerProgram, args: [] })).rejects.toThrow(CommandRefusedError);
      await expect(runner.run({ program: 'squeue', args: [], asUser: 'root' })).rejects.toThrow(CommandRefusedError);
      await expect(runner.run({ program: 'squeue', args: ['a\0b'], asUser: 'alice' })).rejects.toThrow(CommandRefusedError);
    }
    const direct = created({ transport: 'local', sudo: false, commandDir: PROBE_DIR });
    await expect(direct.run({ program: 'squeue', args: [], asUser: 'alice' })).rejects.toThrow('sudo is off and commands run as root');
  });

  it('kills a local command that outlives its timeout and reports its outcome unknown', async () => {
    const runner = created({ transport: 'local', sudo: true, commandDir: PROBE_DIR });
    const marker = `timeout-${process.pid}-${Date.now()}`;
    await expect(runner.run({ program: 'sinfo', args: [marker], asUser: 'alice', timeoutMs: 500 })).rejects.toThrow(SchedulerUnreachableError);
    await pollUntil('the timed-out probe is gone', async () => (processesWith(marker).length === 0 ? true : undefined), 10_000);
  });

  it('over SSH, gives up on a command that outlives its timeout, and the connection stays usable', async () => {
    const runner = sshRunner();
    const before = logins(cluster, 0);
    await expect(runner.run({ program: 'sinfo', args: [], asUser: 'bob', timeoutMs: 1_000 })).rejects.toThrow(
      new SchedulerUnreachableError(`the command did not finish within 1000 ms on login node ${cluster.hosts[0]}; its outcome is unknown`),
    );
    expect((await runner.run({ program: 'squeue', args: [] })).code).toBe(0);
    expect(logins(cluster, 0) - before).toBe(1);
  });
});
