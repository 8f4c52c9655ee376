/**
 * Drives the FAKE nvidia-smi (test/fixtures/gpu/fake-nvidia-smi, fed with real H200 captures) for
 * a test file: a temporary folder, a wrapper command the hub runs (the hub gives nvidia-smi its own
 * environment, so the wrapper sets the fake's), the frames it replays and the pid it maps the
 * capture's GPU process (462) to. Registers beforeAll/afterAll. Test tooling.
 */
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAKE_NVIDIA_SMI, H200 } from '../../src/metrics/gpu/testing/fixtures';

/** What {@link useFakeNvidiaSmi} gives a test file. */
export interface FakeNvidiaSmi {
  /** The temporary folder (frames written by the test may go here). */
  readonly dir: string;
  /** The command to configure as `gpuMetrics.nvidiaSmi`. */
  readonly command: string;
  /** Starts the replay over with `frames` (the last one repeats), swapped in atomically. */
  replay(...frames: string[]): void;
  /** Shows the capture's GPU process 462 as `pid`. */
  pointAt(pid: number): void;
}

/** Sets up the fake for the file, replaying the idle capture at first. */
export function useFakeNvidiaSmi(prefix: string): FakeNvidiaSmi {
  let dir = '';
  const fake: FakeNvidiaSmi = {
    get dir() {
      return dir;
    },
    get command() {
      return path.join(dir, 'fake-nvidia-smi-wrapper');
    },
    replay(...frames) {
      rmSync(path.join(dir, 'state'), { force: true });
      writeFileSync(path.join(dir, 'frames.next'), `${frames.join('\n')}\n`);
      renameSync(path.join(dir, 'frames.next'), path.join(dir, 'frames'));
    },
    pointAt(pid) {
      writeFileSync(
        fake.command,
        [
          '#!/bin/sh',
          '# Test wrapper around the FAKE nvidia-smi (test/fixtures/gpu/fake-nvidia-smi).',
          `export FAKE_NVIDIA_SMI_FRAMES='${path.join(dir, 'frames')}'`,
          `export FAKE_NVIDIA_SMI_STATE='${path.join(dir, 'state')}'`,
          `export FAKE_NVIDIA_SMI_PIDS='462=${pid}'`,
          `exec '${FAKE_NVIDIA_SMI}' "$@"`,
          '',
        ].join('\n'),
      );
      chmodSync(fake.command, 0o755);
    },
  };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
    fake.pointAt(0);
    fake.replay(path.join(H200, 'query-idle-xml.txt'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return fake;
}
