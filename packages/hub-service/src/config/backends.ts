import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BatchBackendConfig, ProfileConfig } from '@clusterhub/shared';
import type { ResolvedBatchBackend, ResolvedConfig } from './types';
import { DEFAULT_BACKEND } from './backend-checks';
import { ConfigError } from './config-error';
import { envValue } from './semantic-checks';
import { filled } from './filled';
import { resolveKubernetesBackend } from './kubernetes-backend';

/**
 * `backends` resolved: defaults filled, the SSH private key read from its file (relative to
 * `baseDir`) or its variable. Runs after {@link backendProblems} found nothing.
 *
 * @throws ConfigError naming `backends.<name>.ssh.privateKeyFile` when the key file cannot be read.
 */
export function resolveBackends(
  backends: Readonly<Record<string, BatchBackendConfig>>,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  file: string | null,
): Readonly<Record<string, ResolvedBatchBackend>> {
  const out: Record<string, ResolvedBatchBackend> = {};
  for (const [name, b] of Object.entries(backends)) {
    const path = `backends.${name}`;
    const transport = filled(b.transport, `${path}.transport`);
    const ssh = transport === 'ssh' ? filled(b.ssh, `${path}.ssh`) : null;
    out[name] = {
      name,
      kind: b.kind,
      kubernetes: b.kind === 'kubernetes' ? resolveKubernetesBackend(filled(b.kubernetes, `${path}.kubernetes`), path, baseDir, env, file) : null,
      transport,
      ssh: ssh && {
        hosts: ssh.hosts,
        user: ssh.user,
        privateKey: ssh.privateKeyFile !== undefined ? readKey(resolve(baseDir, ssh.privateKeyFile), `${path}.ssh.privateKeyFile`, file) : filled(envValue(env, ssh.privateKeyEnv), `${path}.ssh.privateKeyEnv`),
        hostKeys: filled(ssh.hostKeys, `${path}.ssh.hostKeys`),
        connectTimeoutSeconds: filled(ssh.connectTimeoutSeconds, `${path}.ssh.connectTimeoutSeconds`),
        keepaliveSeconds: filled(ssh.keepaliveSeconds, `${path}.ssh.keepaliveSeconds`),
      },
      sudo: filled(b.sudo, `${path}.sudo`),
      commandDir: filled(b.commandDir, `${path}.commandDir`),
      userTemplate: filled(b.userTemplate, `${path}.userTemplate`),
      home: filled(b.home, `${path}.home`),
      cmd: filled(b.cmd, `${path}.cmd`),
      path: filled(b.path, `${path}.path`),
      environment: filled(b.environment, `${path}.environment`),
      output: filled(b.output, `${path}.output`),
      pollIntervalSeconds: filled(b.pollIntervalSeconds, `${path}.pollIntervalSeconds`),
      startGraceSeconds: filled(b.startGraceSeconds, `${path}.startGraceSeconds`),
      cacheSeconds: filled(b.cacheSeconds, `${path}.cacheSeconds`),
      walltime: {
        noticeMinutes: filled(b.walltime?.noticeMinutes, `${path}.walltime.noticeMinutes`),
        extensionMinutes: filled(b.walltime?.extensionMinutes, `${path}.walltime.extensionMinutes`),
        maxExtensions: filled(b.walltime?.maxExtensions, `${path}.walltime.maxExtensions`),
      },
    };
  }
  return out;
}

function readKey(path: string, key: string, file: string | null): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError([`config error at ${key}: cannot read ${path} (${code})`], file);
  }
}

/** The kind of the backend a profile runs on (`local-process`, `slurm`, …); `default` is the `spawner` section's. */
export function backendKindOf(config: Pick<ResolvedConfig, 'spawner' | 'backends'>, profile: ProfileConfig): string {
  const name = profile.backend ?? DEFAULT_BACKEND;
  return name === DEFAULT_BACKEND ? config.spawner.kind : (config.backends[name]?.kind ?? 'unknown');
}
