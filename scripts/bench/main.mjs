// `npm run bench`: clusterhub side by side with JupyterHub 6.1 and configurable-http-proxy.
// Prints one table of medians (min–max) with the ratio to the anchor and writes the raw numbers
// to .cache/bench/. Options: --quick (3 s runs), --reps N, --duration S, --only api,start,proxy,slurm,k8s,
// --pods N (servers in the Kubernetes part, default 1,000).
// `slurm` (the Slurm poll benchmark, slurm-poll.mjs) prints its own table; it needs root.
// `k8s` (the Kubernetes benchmark, k8s-pods.mjs, on the test control plane) prints its own table.
/* global process, setTimeout */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg, availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pinning, pinSelf, stopAll, shutdown, killAllNow } from './procs.mjs';
import { ROOT } from './systems.mjs';
import { apiPhase } from './api.mjs';
import { startupPhase } from './startup.mjs';
import { proxyPhase } from './proxy.mjs';
import { slurmPollPhase } from './slurm-poll.mjs';
import { k8sPodsPhase } from './k8s-pods.mjs';
import { ROWS } from './rows.mjs';

const require = createRequire(import.meta.url);
const { formatTable } = require('../../packages/hub-service/lib/bench/table.js');

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    duration: { type: 'string' },
    only: { type: 'string' },
    pods: { type: 'string' },
  },
});
const reps = Number(opts.reps ?? 3);
const durationS = Number(opts.duration ?? (opts.quick ? 3 : 10));
const warmupS = opts.quick ? 1 : 3;
const phases = (opts.only ?? 'api,start,proxy,slurm,k8s').split(',');
const pods = Number(opts.pods ?? 1000);
if (!(reps >= 1 && durationS >= 1 && Number.isInteger(pods) && pods >= 1) || phases.some((p) => !['api', 'start', 'proxy', 'slurm', 'k8s'].includes(p))) {
  process.stderr.write('usage: npm run bench [-- --quick] [--reps N] [--duration S] [--only api,start,proxy,slurm,k8s] [--pods N]\n');
  process.exit(2);
}

function cmdOut(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return 'unknown';
  }
}

const cores = availableParallelism(); // before this process pins itself to one core
const log = (line) => process.stdout.write(`${line}\n`);
const dir = mkdtempSync(join(tmpdir(), 'clusterhub-bench-'));
const samples = {}; // rowId -> { ours: [], anchor: [], reference: [] }
const raw = [];
const failures = {};
const loads = [];

function record(rowId, system, sample, wrk) {
  samples[rowId] ??= { ours: [], anchor: [], reference: [] };
  const bad = wrk && (wrk.non2xx > 0.005 * wrk.requests || wrk.socketErrors > 0.005 * wrk.requests);
  raw.push({ row: rowId, system, ...sample, ...(wrk ? { wrk: { ...wrk, raw: undefined }, excluded: Boolean(bad) } : {}) });
  if (wrk) loads.push(wrk.loadavg1);
  if (bad) log(`  (excluded: ${wrk.non2xx} non-2xx responses, ${wrk.socketErrors} socket errors)`);
  else samples[rowId][system].push(sample);
}

let finishing = false;
async function cleanup(code) {
  if (finishing) return;
  finishing = true;
  await shutdown();
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void cleanup(130));
process.on('SIGTERM', () => void cleanup(143));
process.on('exit', killAllNow);
process.on('unhandledRejection', (err) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  void cleanup(1);
});
// Bounded: phases are bounded on their own; this is the backstop.
const limitMs = (opts.quick ? 15 : 45) * 60_000 * (reps / 3);
setTimeout(() => {
  log(`bench: still running after ${limitMs / 60_000} min; stopping`);
  void cleanup(1);
}, limitMs).unref();

async function main() {
  pinSelf();
  const jhVersion = cmdOut(join(ROOT, '.venv/bin/python'), ['-c', 'import jupyterhub; print(jupyterhub.__version__)']);
  const chpVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/configurable-http-proxy/package.json'), 'utf8')).version;
  const machine = {
    host: hostname(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    python: cmdOut(join(ROOT, '.venv/bin/python'), ['--version']),
    jupyterhub: jhVersion,
    chp: chpVersion,
    wrk: cmdOut('bash', ['-c', 'wrk --version 2>&1 | head -1 || true']).split(' ')[1] ?? 'unknown',
    commit: cmdOut('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    pinning: pinning ? `servers on core ${pinning.server}, load generators on core ${pinning.load}` : 'none (one core)',
  };
  const startedAt = new Date();
  log(`bench: ${reps} × ${durationS} s per measurement, ${machine.cores} cores (${machine.pinning}), load average ${loadavg()[0].toFixed(2)}`);
  const run = async (name, fn) => {
    if (!phases.includes(name)) return;
    log(`== ${name}`);
    try {
      await fn({ dir, reps, durationS, warmupS, record, log });
    } catch (err) {
      failures[name] = err instanceof Error ? err.message : String(err);
      log(`  ${name} failed: ${failures[name]}`);
      await stopAll();
    }
  };
  await run('api', apiPhase);
  await run('start', startupPhase);
  await run('proxy', proxyPhase);
  await run('slurm', slurmPollPhase);
  await run('k8s', (ctx) => k8sPodsPhase({ ...ctx, pods, steadyS: opts.quick ? 20 : 60 }));

  const rows = ROWS.filter((r) => phases.includes(r.phase)).map((r) => {
    const s = samples[r.id] ?? { ours: [], anchor: [], reference: [] };
    const missing = s.ours.length === 0 || s.anchor.length === 0;
    return {
      label: r.label,
      unit: r.unit,
      ours: s.ours,
      anchor: s.anchor,
      ...(r.reference ? { reference: { label: r.reference, samples: s.reference } } : {}),
      goal: r.goal,
      ...(missing ? { notMeasured: failures[r.phase] ?? 'no valid samples (see the log above)' } : {}),
    };
  });
  const table = formatTable(rows, `JupyterHub ${jhVersion} / CHP ${chpVersion}`);
  const maxLoad = loads.length ? Math.max(...loads) : loadavg()[0];
  const summary = [
    '',
    `${startedAt.toISOString().slice(0, 10)}, ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}, ${machine.python}, wrk ${machine.wrk}, clusterhub ${machine.commit}; ${machine.pinning}; ${reps} interleaved repeats of ${durationS} s, medians (min–max).`,
    `Highest 1-minute load average before a run: ${maxLoad.toFixed(2)}${maxLoad > 0.5 ? ' (other load on the machine: figures are disturbed; compare ratios)' : ''}.`,
    '',
    table,
    '',
  ].join('\n');
  log(summary);
  const outDir = join(ROOT, '.cache/bench');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ startedAt, finishedAt: new Date(), options: { reps, durationS, warmupS, phases }, machine, maxLoad, failures, rows, raw, table }, null, 2)}\n`);
  log(`raw numbers: ${file}`);
  return Object.keys(failures).length ? 1 : 0;
}

main().then(
  (code) => cleanup(code),
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    void cleanup(1);
  },
);
