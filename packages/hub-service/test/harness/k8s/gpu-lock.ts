/**
 * A lock across jest workers for the fake nodes' GPUs: test files that fill the GPU nodes or
 * expect free GPUs hold it while they run, so one file's pods never take the GPUs another counts
 * on. A folder made with mkdir (atomic) under the cluster's run folder, with the holder's pid; a
 * holder that died leaves a lock the next caller removes. Test tooling.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stale(dir: string): boolean {
  let pid = 0;
  try {
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    // Just made, pid not written yet, unless the folder is old.
    try {
      return Date.now() - statSync(dir).mtimeMs > 30_000;
    } catch {
      return false;
    }
  }
  return pid > 0 && !alive(pid);
}

/** Waits for the GPU lock of the cluster whose run folder is `runDir`; resolves with its release. */
export async function acquireGpuLock(runDir: string, timeoutMs = 15 * 60_000): Promise<() => void> {
  const dir = join(runDir, 'gpu-lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (stale(dir)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the GPU lock ${dir} is still held after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
