/**
 * A FAKE nvidia-smi for the test Slurm cluster's node (test/fixtures/gpu/fake-nvidia-smi replaying
 * fake-slurm-node/, a node with two GPUs; named as fakes in test/fixtures/gpu/README.md): a
 * wrapper in a temporary folder the job users can read, counting its calls in a file they can
 * write. `gpuMetrics.nodeNvidiaSmi` points at {@link FakeNodeNvidiaSmi.command}. Test tooling.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FAKE_NVIDIA_SMI, GPU_FIXTURES } from '../../../src/metrics/gpu/testing/fixtures';

/** The UUIDs of the FAKE node's GPUs, by index (fake-slurm-node/README.md). */
export const FAKE_NODE_GPU_UUIDS = ['GPU-a6b9ae15-a075-db5c-a1f1-4ab0b402df48', 'GPU-00000000-fake-0001-0000-000000000001'];

/** The fake on disk. */
export interface FakeNodeNvidiaSmi {
  /** The wrapper to configure as `gpuMetrics.nodeNvidiaSmi`. */
  readonly command: string;
  /** How often it ran. */
  calls(): number;
  /** Removes the folder. */
  remove(): void;
}

/** Writes the fake; the job steps run it as alice or bob. */
export function createFakeNodeNvidiaSmi(): FakeNodeNvidiaSmi {
  const dir = mkdtempSync(path.join(tmpdir(), 'clusterhub-slurm-gpu-'));
  chmodSync(dir, 0o755);
  // Modes set explicitly: a hub started earlier in this jest worker set the process umask to 077.
  writeFileSync(path.join(dir, 'frames'), `${path.join(GPU_FIXTURES, 'fake-slurm-node', 'query-xml.txt')}\n`);
  chmodSync(path.join(dir, 'frames'), 0o644);
  writeFileSync(path.join(dir, 'state'), '0');
  chmodSync(path.join(dir, 'state'), 0o666);
  const command = path.join(dir, 'nvidia-smi');
  writeFileSync(
    command,
    [
      '#!/bin/sh',
      "# Test wrapper around the FAKE nvidia-smi (test/fixtures/gpu/fake-nvidia-smi): NOT NVIDIA's tool.",
      `export FAKE_NVIDIA_SMI_FRAMES='${path.join(dir, 'frames')}'`,
      `export FAKE_NVIDIA_SMI_STATE='${path.join(dir, 'state')}'`,
      `exec '${FAKE_NVIDIA_SMI}' "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(command, 0o755);
  return {
    command,
    calls: () => Number(readFileSync(path.join(dir, 'state'), 'utf8').trim() || '0'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
