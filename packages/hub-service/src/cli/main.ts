#!/usr/bin/env node
/**
 * The `clusterhub` command: `serve`, `check-config`, and `user add|passwd|delete|list`.
 * Exit codes: 0 ok, 1 runtime error, 2 usage or configuration error.
 */
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../config/load';
import { checkConfig } from '../config/check';
import { openStore } from '../store/open';
import { SchemaTooNewError, type Store } from '../store/store';
import type { ResolvedConfig } from '../config/types';
import { AccountService } from '../services/accounts';
import { HubError } from '../errors';
import { serve } from './serve';

const USAGE = `usage:
  clusterhub serve [--config FILE]
  clusterhub check-config FILE
  clusterhub user add NAME [--admin] [--password-stdin] [--config FILE]
  clusterhub user passwd NAME [--password-stdin] [--config FILE]
  clusterhub user delete NAME [--config FILE]
  clusterhub user list [--config FILE]
The config file defaults to $CLUSTERHUB_CONFIG; with none, the embedded default is used.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function withStore<T>(config: ResolvedConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config.db.kind === 'sqlite' ? { kind: 'sqlite', path: config.db.path } : { kind: 'postgres', url: config.db.url });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function userCommand(config: ResolvedConfig, args: string[], flags: { admin: boolean; passwordStdin: boolean }): Promise<number> {
  const [action, name] = args;
  return withStore(config, async (store) => {
    const accounts = new AccountService(store);
    const password = flags.passwordStdin ? await readStdin() : undefined;
    switch (action) {
      case 'add': {
        if (!name) break;
        const pw = await accounts.add(name, { admin: flags.admin, password });
        process.stdout.write(password ? `created ${name}\n` : `created ${name} with password: ${pw}\n`);
        return 0;
      }
      case 'passwd': {
        if (!name) break;
        const pw = await accounts.setPassword(name, password);
        process.stdout.write(password ? `password of ${name} changed\n` : `new password of ${name}: ${pw}\n`);
        return 0;
      }
      case 'delete':
        if (!name) break;
        await accounts.remove(name);
        process.stdout.write(`deleted ${name}\n`);
        return 0;
      case 'list': {
        const { items } = await store.users.list({ offset: 0, limit: 1_000_000, sort: 'name' });
        const withAccount = new Set(await store.accounts.listNames());
        for (const u of items) process.stdout.write(`${u.name}${u.admin ? '\tadmin' : ''}${withAccount.has(u.name) ? '' : '\t(no local password)'}\n`);
        return 0;
      }
    }
    process.stderr.write(`${USAGE}\n`);
    return 2;
  });
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      admin: { type: 'boolean', default: false },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const configPath = values.config ?? process.env.CLUSTERHUB_CONFIG ?? null;
  try {
    switch (command) {
      case 'check-config': {
        const file = rest[0] ?? values.config;
        if (!file) break;
        const result = checkConfig(file);
        if (result.ok) {
          process.stdout.write(`${result.summary}\n`);
          return 0;
        }
        process.stderr.write(`${result.errors}\n`);
        return 2;
      }
      case 'serve':
        return await serve(loadConfig(configPath), configPath);
      case 'user':
        return await userCommand(loadConfig(configPath), rest, { admin: values.admin, passwordStdin: values['password-stdin'] });
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    const listenError = err instanceof Error ? /(EADDRINUSE|EACCES|EADDRNOTAVAIL)[^\n]*/.exec(err.message) : null;
    if (listenError) {
      process.stderr.write(`error: cannot listen: ${listenError[0]}. Change hub.public or hub.internal in the config.\n`);
      return 1;
    }
    if (err instanceof SchemaTooNewError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    if (err instanceof HubError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

/** Runs the CLI as a process: exit code from {@link main}, 1 with the stack on an unexpected error. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) run(process.argv.slice(2));
