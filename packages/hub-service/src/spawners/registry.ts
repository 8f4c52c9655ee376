/** Builds the configured {@link Spawner}: the one place that maps `spawner.kind` to an adapter. */
import type { ResolvedConfig } from '../config/types';
import type { Spawner } from './spawner';
import type { SpawnerLogger } from './spawner-logger';
import { LocalProcessSpawner } from './local-process/local-process-spawner';
import { accountPolicyFor } from './local-process/accounts';

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
