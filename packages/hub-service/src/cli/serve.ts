import type { ResolvedConfig } from '../config/types';
import { buildHub } from '../app';
import { AccountService } from '../services/accounts';
import { userInfo } from 'node:os';
import { singlePersonNotice } from '../spawners/local-process/accounts';

/** The password-change command as it works from the checkout (`npx` finds the package's `bin`). */
export function passwdCommand(userName: string, configPath: string | null): string {
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return `npx clusterhub user passwd ${quote(userName)}${configPath === null ? '' : ` --config ${quote(configPath)}`}`;
}

/**
 * Runs the hub until a signal. Ctrl-C (SIGINT) stops every user server and then the hub;
 * SIGTERM (a service manager restarting the hub) stops only the hub, leaving user servers running
 * to be re-adopted by the next start. Resolves to the exit code. `configPath` (the `--config` file)
 * goes into the command the first-start banner suggests.
 */
export async function serve(config: ResolvedConfig, configPath: string | null = null): Promise<number> {
  const hub = await buildHub(config);
  const admin = await new AccountService(hub.context.store).ensureInitialAdmin(config.auth.initialAdmin);
  // Shown before listening: if the start fails (port in use…), the account exists and a later start will not show it again.
  if (admin) {
    process.stdout.write(
      `\n  First start: created admin account "${admin.name}" with password\n\n      ${admin.password}\n\n` +
        `  It is shown only now. Change it with: ${passwdCommand(admin.name, configPath)}\n\n`,
    );
  }
  try {
    await hub.start();
  } catch (err) {
    await hub.stop().catch(() => undefined);
    throw err;
  }
  const notice = config.spawner.kind === 'local-process' ? singlePersonNotice(process.getuid?.() ?? 0, userInfo().username) : null;
  if (notice !== null) process.stdout.write(`  ${notice}\n`);
  const url = hub.publicUrl ?? hub.internalUrl;
  process.stdout.write(`  clusterhub is running at ${url}/hub/  (Ctrl-C stops it and its servers)\n\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      void (async () => {
        const { store, lifecycle } = hub.context;
        if (signal === 'SIGINT') {
          for (const server of await store.servers.listActive()) {
            const user = await store.users.getById(server.userId);
            if (user) await lifecycle.stop(user, server, 'shutdown').catch(() => undefined);
          }
        }
        await hub.stop();
        resolve(0);
      })();
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}
