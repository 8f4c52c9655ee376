/** Builds the configured backends: the one place that maps a backend's `kind` to an adapter. */
import type { ResolvedBatchBackend, ResolvedConfig } from '../config/types';
import { DEFAULT_BACKEND } from '../config/backend-checks';
import { Backends } from './backends';
import type { Spawner } from './spawner';
import type { SpawnerLogger } from './spawner-logger';
import { LocalProcessSpawner } from './local-process/local-process-spawner';
import { accountPolicyFor } from './local-process/accounts';
import { BatchSpawner } from './batch/batch-spawner';
import { createBackendCommandRunner } from './batch/commands/backend-runner';
import { localOutputTail } from './batch/output-tail';
import { SlurmDialect } from './batch/slurm/slurm-dialect';
import { PbsDialect } from './batch/pbs/pbs-dialect';
import { createKubernetesSpawner } from './kubernetes/create';

/** What the adapters may need from the composition root. */
export interface SpawnerDeps {
  readonly logger?: SpawnerLogger;
  /** The hub's uid (default: the process's); 0 means servers run as each user's own account. */
  readonly uid?: number;
}

/**
 * The spawner for `config` (`spawner.kind`). Constructing has no side effects.
 *
 * @throws Error naming `spawner.kind` for a kind this build does not know.
 */
export function createSpawner(config: ResolvedConfig['spawner'], deps: SpawnerDeps = {}): Spawner {
  const kind: string = config.kind;
  switch (config.kind) {
    case 'local-process':
      return new LocalProcessSpawner({
        cmd: config.cmd,
        args: config.args,
        ip: config.ip,
        workDir: config.workDir,
        logDir: config.logDir,
        accounts: accountPolicyFor(deps.uid ?? process.getuid?.() ?? 0, config),
        envKeep: config.envKeep,
        environment: config.environment,
        ...(deps.logger ? { logger: deps.logger } : {}),
      });
    default:
      throw new Error(`spawner.kind: unknown spawner kind ${JSON.stringify(kind)} (known: local-process)`);
  }
}

/**
 * The spawner of one entry of `backends` (a batch scheduler): Slurm, or PBS through its `qsub`/
 * `qstat`/`qdel` (tested against Debian's Torque-compatible wrappers over Slurm).
 *
 * @throws Error naming the setting (`ssh.hosts`, `commandDir`, …) when the runner cannot be built.
 */
export function createBatchSpawner(config: ResolvedBatchBackend, deps: SpawnerDeps & { readonly startTimeoutSeconds?: number } = {}): Spawner {
  const runner = createBackendCommandRunner(config, deps.logger);
  return new BatchSpawner({
    backend: config,
    dialect: config.kind === 'pbs' ? new PbsDialect(runner) : new SlurmDialect(runner),
    runner,
    startTimeoutSeconds: deps.startTimeoutSeconds ?? 300,
    ...(config.ssh ? { ownAccount: config.ssh.user } : { readOutput: localOutputTail }),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}

/**
 * Every configured backend: `default` from the `spawner` section, the others from `backends`
 * (batch schedulers, or pods for kind `kubernetes`).
 * `overrides` replaces backends by name (tests: a fake spawner). Constructing has no side effects.
 */
export function createBackends(
  config: Pick<ResolvedConfig, 'spawner' | 'backends'> & { readonly hub: { readonly startTimeoutSeconds: number } },
  deps: SpawnerDeps = {},
  overrides: Readonly<Record<string, Spawner>> = {},
): Backends {
  const byName = new Map<string, Spawner>();
  byName.set(DEFAULT_BACKEND, overrides[DEFAULT_BACKEND] ?? createSpawner(config.spawner, deps));
  for (const [name, backend] of Object.entries(config.backends)) {
    const built = (): Spawner =>
      backend.kubernetes ? createKubernetesSpawner(backend.kubernetes, deps) : createBatchSpawner(backend, { ...deps, startTimeoutSeconds: config.hub.startTimeoutSeconds });
    byName.set(name, overrides[name] ?? built());
  }
  for (const [name, spawner] of Object.entries(overrides)) if (!byName.has(name)) byName.set(name, spawner);
  return new Backends(byName);
}
