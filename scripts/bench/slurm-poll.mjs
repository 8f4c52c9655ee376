// The Slurm poll benchmark (issue 6, Performance): with 1, 100 and 500 of the hub's jobs in the
// queue, how many scheduler commands one poll cycle of our BatchSpawner.pollMany runs (goal: 1
// squeue per cluster, whatever N) and what a cycle costs in CPU, beside batchspawner's pattern (one
// `squeue -h -j <id> -o '%T %B'` per server per cycle). Runs against the real test cluster
// (scripts/slurm/start.sh, root only); the jobs are pending ones (`--begin=now+1hour`, cost nothing)
// submitted as root and cancelled at the end. Prints its own table; the raw numbers go to .cache/bench/.
/* global process, setTimeout */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './systems.mjs';

const require = createRequire(import.meta.url);
const lib = (p) => require(join(ROOT, 'packages/hub-service/lib', p));
const run = promisify(execFile);

export const SLURM_POLL_SIZES = [1, 100, 500];
const JOB_NAME = `clusterhub-bench-${process.pid}`;
/** JobWatch reuses an answer younger than 1.5 s: cycles are spaced past it, as the hub's poller is. */
const CYCLE_GAP_MS = 1600;

/** Clock ticks of this process's waited-for children (the scheduler commands), from /proc. */
function childTicks() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[13]) + Number(fields[14]); // cutime, cstime (fields 16 and 17 of proc(5))
}
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

/** Runs `fn` and returns its wall time, our CPU time and the commands' CPU time, in ms. */
async function measure(fn) {
  const cpu0 = process.cpuUsage();
  const kids0 = childTicks();
  const t0 = process.hrtime.bigint();
  await fn();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, hubCpuMs: (cpu.user + cpu.system) / 1000, commandCpuMs: (childTicks() - kids0) * TICK_MS };
}

/** A CommandRunner that counts what it runs, around the real local one. */
function countingRunner(inner) {
  const counter = {
    commands: 0,
    programs: [],
    description: inner.description,
    async run(cmd) {
      counter.commands += 1;
      counter.programs.push(cmd.program);
      return inner.run(cmd);
    },
    close: () => inner.close(),
  };
  return counter;
}

/** Submits `n` pending jobs as root, 8 at a time; resolves with their ids. */
async function submitPending(n) {
  const ids = [];
  const args = ['--parsable', '--partition=cpu', '--begin=now+1hour', `--job-name=${JOB_NAME}`, '--chdir=/tmp', '--output=/dev/null', '--mem=10M', '--time=1', '--wrap=true'];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next += 1;
      const { stdout } = await run('sbatch', args);
      ids.push(stdout.trim().split(';')[0]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, n) }, worker));
  return ids;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One size: our pollMany cycles and the per-server squeue pattern, `reps` cycles each. */
async function measureSize(ids, reps) {
  const { createCommandRunner } = lib('spawners/batch/commands/index.js');
  const { SlurmDialect } = lib('spawners/batch/slurm/slurm-dialect.js');
  const { BatchSpawner } = lib('spawners/batch/batch-spawner.js');
  const runner = countingRunner(createCommandRunner({ transport: 'local', sudo: false, commandDir: '/usr/bin' }));
  const backend = { name: 'bench', kind: 'slurm', transport: 'local', ssh: null, sudo: false, commandDir: '/usr/bin', userTemplate: '{username}', home: '/tmp', cmd: ['true'], path: '/usr/bin:/bin', environment: {}, output: 'job-%j.log', pollIntervalSeconds: 30, startGraceSeconds: 0, cacheSeconds: 30 };
  const spawner = new BatchSpawner({ backend, dialect: new SlurmDialect(runner), runner, startTimeoutSeconds: 300 });
  const handles = ids.map((jobId) => ({ jobId, account: 'root', partition: 'cpu' }));
  const ours = [];
  try {
    for (let i = 0; i <= reps; i += 1) {
      const before = runner.commands;
      let results = [];
      const m = await measure(async () => {
        results = await spawner.pollMany(handles);
      });
      const pending = results.filter((r) => r.status === 'pending').length;
      if (pending !== ids.length) throw new Error(`pollMany saw ${pending} of ${ids.length} jobs pending`);
      // The first cycle learns the jobs' partitions and pending state (the hints); the hub's poller is then in steady state.
      if (i > 0) ours.push({ ...m, commands: runner.commands - before });
      await sleep(CYCLE_GAP_MS);
    }
    const theirs = [];
    for (let i = 0; i < reps; i += 1) {
      const before = runner.commands;
      const m = await measure(async () => {
        for (const id of ids) await runner.run({ program: 'squeue', args: ['-h', '-j', id, '-o', '%T %B'] });
      });
      theirs.push({ ...m, commands: runner.commands - before });
    }
    return { ours, theirs };
  } finally {
    await spawner.close();
  }
}

/** The phase `slurm` of `npm run bench`. */
export async function slurmPollPhase({ reps, log }) {
  if (process.getuid?.() !== 0) {
    log('  skipped: the Slurm poll benchmark needs root (it starts the test Slurm cluster with scripts/slurm/start.sh); run `sudo npm run bench -- --only slurm`');
    return { skipped: 'not root' };
  }
  log('  starting (or reusing) the test Slurm cluster: scripts/slurm/start.sh');
  execFileSync('bash', [join(ROOT, 'scripts/slurm/start.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const all = [];
  const rows = [];
  try {
    for (const n of SLURM_POLL_SIZES) {
      const ids = await submitPending(n - all.length);
      all.push(...ids);
      log(`  ${all.length} pending jobs in the queue; ${reps} poll cycles each way`);
      const { ours, theirs } = await measureSize(all, reps);
      const row = {
        jobs: all.length,
        ours: { commands: median(ours.map((c) => c.commands)), hubCpuMs: median(ours.map((c) => c.hubCpuMs)), commandCpuMs: median(ours.map((c) => c.commandCpuMs)), wallMs: median(ours.map((c) => c.wallMs)) },
        batchspawner: { commands: median(theirs.map((c) => c.commands)), hubCpuMs: median(theirs.map((c) => c.hubCpuMs)), commandCpuMs: median(theirs.map((c) => c.commandCpuMs)), wallMs: median(theirs.map((c) => c.wallMs)) },
        samples: { ours, batchspawner: theirs },
      };
      rows.push(row);
    }
  } finally {
    if (all.length) execFileSync('scancel', [`--name=${JOB_NAME}`]);
  }
  const table = formatSlurmTable(rows);
  log(table);
  const outDir = join(ROOT, '.cache/bench');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `slurm-poll-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ reps, rows, table }, null, 2)}\n`);
  log(`  raw numbers: ${file}`);
  const missed = rows.filter((r) => r.ours.commands > 1);
  if (missed.length) throw new Error(`goal missed: ${missed.map((r) => `${r.ours.commands} commands per cycle with ${r.jobs} jobs`).join(', ')}`);
  return { rows };
}

/** The table: per size, commands, CPU and wall time per cycle, ours beside batchspawner's pattern, with ratios. */
export function formatSlurmTable(rows) {
  const head = ['jobs', 'commands/cycle ours', 'batchspawner', 'hub CPU ms/cycle ours', 'batchspawner', 'ratio', 'command CPU ms ours', 'batchspawner', 'wall ms ours', 'batchspawner', 'ratio'];
  const lines = rows.map((r) => [
    String(r.jobs),
    fmt(r.ours.commands, 0),
    fmt(r.batchspawner.commands, 0),
    fmt(r.ours.hubCpuMs),
    fmt(r.batchspawner.hubCpuMs),
    `${fmt(r.batchspawner.hubCpuMs / r.ours.hubCpuMs)}×`,
    fmt(r.ours.commandCpuMs, 0),
    fmt(r.batchspawner.commandCpuMs, 0),
    fmt(r.ours.wallMs),
    fmt(r.batchspawner.wallMs),
    `${fmt(r.batchspawner.wallMs / r.ours.wallMs)}×`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  return [
    'Slurm poll cycle (goal: 1 squeue per cycle whatever the number of jobs; batchspawner: 1 squeue per server). Medians;',
    'hub CPU = this Node process (spawning, parsing); command CPU = the squeue/sacct processes (10 ms ticks); ratio = batchspawner ÷ ours.',
    row(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(row),
  ].join('\n');
}
