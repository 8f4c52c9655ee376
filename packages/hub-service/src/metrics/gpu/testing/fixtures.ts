/**
 * Reading the GPU fixture files under `packages/hub-service/test/fixtures/gpu/` in tests: the real
 * H200 captures (`h200-2026-11-30/`) and the fakes (`fake-mig/`, `fake-nvidia-smi`).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The folder holding the GPU fixtures (found from this file, so any checkout works). */
export const GPU_FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/gpu');

/** The real H200 capture folder. */
export const H200 = path.join(GPU_FIXTURES, 'h200-2026-11-30');

/** The fake MIG-enabled outputs (named as fakes in their README). */
export const FAKE_MIG = path.join(GPU_FIXTURES, 'fake-mig');

/** The fake `nvidia-smi` that replays recorded outputs. */
export const FAKE_NVIDIA_SMI = path.join(GPU_FIXTURES, 'fake-nvidia-smi');

/** A capture file split into the command line, what the command printed, and its exit status. */
export interface Capture {
  /** The command line after `$ `. */
  readonly command: string;
  /** What it printed (stdout and stderr together, as captured). */
  readonly output: string;
  /** The exit status from the `[rc=N]` line. */
  readonly rc: number;
}

/**
 * Reads a `.txt` capture (`$ command` first line, `[rc=N]` last line) from `folder`.
 *
 * @throws Error when the file does not have that shape.
 */
export function readCapture(folder: string, name: string): Capture {
  const text = readFileSync(path.join(folder, name), 'utf8');
  const lines = text.replace(/\n$/, '').split('\n');
  const first = lines.shift() ?? '';
  const rcLine = /^\[rc=(\d+)\]$/.exec(lines.pop() ?? '');
  if (!first.startsWith('$ ') || !rcLine) throw new Error(`${name} is not a capture ($ command … [rc=N])`);
  return { command: first.slice(2), output: lines.length > 0 ? `${lines.join('\n')}\n` : '', rc: Number(rcLine[1]) };
}

/** Reads a fixture file as it is. */
export function readFixture(folder: string, name: string): string {
  return readFileSync(path.join(folder, name), 'utf8');
}
