/** The command runner of one configured batch backend (its transport, sudo, command folder and SSH settings). */
import type { ResolvedBatchBackend } from '../../../config/types';
import type { SpawnerLogger } from '../../spawner-logger';
import { createCommandRunner } from './index';
import type { CommandRunner } from './types';

/**
 * A new runner for `backend`, as the backend's spawner builds one (each runner keeps its own SSH
 * connections; close it when done).
 *
 * @throws Error naming the setting when the runner cannot be built.
 */
export function createBackendCommandRunner(backend: ResolvedBatchBackend, logger?: SpawnerLogger): CommandRunner {
  return createCommandRunner({
    transport: backend.transport,
    sudo: backend.sudo,
    commandDir: backend.commandDir,
    ...(backend.ssh
      ? {
          ssh: {
            hosts: [...backend.ssh.hosts],
            user: backend.ssh.user,
            privateKey: backend.ssh.privateKey,
            hostKeys: [...backend.ssh.hostKeys],
            connectTimeoutMs: backend.ssh.connectTimeoutSeconds * 1000,
            keepaliveMs: backend.ssh.keepaliveSeconds * 1000,
          },
        }
      : {}),
    ...(logger ? { logger } : {}),
  });
}
