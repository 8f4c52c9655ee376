// Processes started by the benchmark: pinned to a core, logged to a file, always stopped.
/* global AbortSignal, fetch, process */
import { spawn, execFileSync } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

/** Core for systems under test and core for load generators, or null on a one-core machine. */
export const pinning = availableParallelism() >= 2 && hasTaskset() ? { server: '0', load: '1' } : null;

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins this process (the probes and websocket clients) to the load generator's core. */
export function pinSelf() {
  if (pinning) execFileSync('taskset', ['-pc', pinning.load, String(process.pid)], { stdio: 'ignore' });
}

const live = new Set();
const extras = new Set();
let closing = false;

/** Registers a synchronous clean-up step (e.g. killing a grandchild from its pid file) run by stopAll and killAllNow. */
export function onCleanup(fn) {
  extras.add(fn);
}

function runExtras() {
  for (const fn of extras) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
}

/**
 * Starts `cmd args` in its own process group, pinned to `role`'s core ('server' or 'load'),
 * stdout and stderr appended to `logFile`. Returns { pid, child, exited (promise of the code), stop() }.
 */
export function start(cmd, args, { role, logFile, cwd, env }) {
  if (closing) throw new Error('the benchmark is stopping');
  const fd = openSync(logFile, 'a');
  const argv = pinning ? ['taskset', '-c', pinning[role], cmd, ...args] : [cmd, ...args];
  const child = spawn(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const proc = { pid: child.pid, child, exited, logFile, name: cmd, stop: () => stopProc(proc) };
  live.add(proc);
  exited.then(() => live.delete(proc));
  child.once('error', () => live.delete(proc));
  return proc;
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** SIGTERM to the process group, SIGKILL after 10 s; resolves when the process has exited. */
export async function stopProc(proc) {
  if (!live.has(proc)) return;
  signalGroup(proc.pid, 'SIGTERM');
  const done = await Promise.race([proc.exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done) {
    signalGroup(proc.pid, 'SIGKILL');
    await Promise.race([proc.exited, sleep(2_000)]);
  }
  signalGroup(proc.pid, 'SIGKILL'); // stragglers left in the group
  live.delete(proc);
}

/** Stops everything still running (used on the way out, also after errors and Ctrl-C). */
export async function stopAll() {
  await Promise.all([...live].map((p) => stopProc(p)));
  runExtras();
}

/** Stops everything and refuses to start anything more (Ctrl-C, errors, the end). */
export async function shutdown() {
  closing = true;
  await stopAll();
}

/** Last resort on process exit: SIGKILL to every group still known. */
export function killAllNow() {
  for (const p of live) signalGroup(p.pid, 'SIGKILL');
  runExtras();
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Waits until `url` answers `status` (default 200), polling every `everyMs`; throws after `timeoutMs` or when `proc` exits. */
export async function waitHttp(url, { headers = {}, status = 200, timeoutMs = 60_000, everyMs = 50, proc } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc && !live.has(proc)) throw new Error(`${proc.name} exited before ${url} answered; see ${proc.logFile}:\n${tail(proc.logFile)}`);
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === status) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(everyMs);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})${proc ? `; see ${proc.logFile}:\n${tail(proc.logFile)}` : ''}`);
}

/** The last lines of a log file. */
export function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Resident set size of a process in KiB (from /proc). */
export function rssKiB(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/**
 * Runs a full garbage collection in a Node process started with `--inspect=127.0.0.1:<port>` (through
 * its inspector) and returns its JavaScript heap after it, in KiB. Memory figures taken right after
 * it hold no garbage: RSS alone keeps what the collector has not got round to.
 */
export async function heapAfterGcKiB(port) {
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let id = 0;
  const call = (method) =>
    new Promise((resolve) => {
      const mine = ++id;
      const onMessage = (data) => {
        const msg = JSON.parse(String(data));
        if (msg.id !== mine) return;
        socket.off('message', onMessage);
        resolve(msg.result);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id: mine, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const { usedSize } = await call('Runtime.getHeapUsage');
    return usedSize / 1024;
  } finally {
    socket.close();
  }
}
