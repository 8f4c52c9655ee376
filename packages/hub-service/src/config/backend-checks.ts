import type { HubConfig } from '@clusterhub/shared';
import { envValue } from './semantic-checks';
import { pbsProfileProblems } from './pbs-checks';
import { kubernetesBackendProblems } from './kubernetes-backend';

/** The name of the backend the `spawner` section configures; profiles name it unless they say otherwise. */
export const DEFAULT_BACKEND = 'default';

/**
 * Rules of `backends` and of the profiles' `backend` key the schema cannot express: a profile
 * names a backend that exists; an `ssh` transport has its `ssh` section with pinned host keys and exactly one key
 * source (a file or a variable that is set); a `local` transport has none; a Slurm section only
 * on profiles of a batch backend; nothing a PBS backend cannot ask for on its profiles; a profile's
 * `kubernetes` section only on a kubernetes backend. One `config error at <path>` line per problem.
 */
export function backendProblems(doc: HubConfig, env: NodeJS.ProcessEnv): string[] {
  const backends = doc.backends ?? {};
  const problems: string[] = [];
  const at = (path: string, why: string): void => void problems.push(`config error at ${path}: ${why}`);
  for (const [name, backend] of Object.entries(backends)) {
    const path = `backends.${name}`;
    problems.push(...kubernetesBackendProblems(name, backend, env));
    const transport = backend.transport ?? 'local';
    if (transport === 'ssh' && backend.ssh === undefined) at(`${path}.ssh`, 'required when transport is ssh (hosts, user, privateKeyFile or privateKeyEnv)');
    if (transport === 'local' && backend.ssh !== undefined) at(`${path}.ssh`, 'only used with transport ssh; set transport: ssh or remove it');
    const ssh = backend.ssh;
    if (ssh && transport === 'ssh') {
      if (ssh.hostKeys === undefined) at(`${path}.ssh.hostKeys`, "required: pin the login nodes' host keys (`ssh-keygen -lf <host key>.pub` prints SHA256:…)");
      if (ssh.privateKeyFile === undefined && ssh.privateKeyEnv === undefined) at(`${path}.ssh`, 'needs privateKeyFile or privateKeyEnv');
      else if (ssh.privateKeyFile !== undefined && ssh.privateKeyEnv !== undefined) at(`${path}.ssh`, 'set privateKeyFile or privateKeyEnv, not both');
      else if (ssh.privateKeyEnv !== undefined && envValue(env, ssh.privateKeyEnv) === undefined) {
        at(`${path}.ssh.privateKeyEnv`, `the environment variable ${ssh.privateKeyEnv} is not set`);
      }
    }
  }
  const known = [DEFAULT_BACKEND, ...Object.keys(backends)];
  (doc.profiles ?? []).forEach((profile, i) => {
    const name = profile.backend ?? DEFAULT_BACKEND;
    if (!known.includes(name)) {
      at(`profiles[${i}].backend`, `unknown backend ${JSON.stringify(name)} (known: ${known.join(', ')})`);
      return;
    }
    if (profile.slurm !== undefined && name === DEFAULT_BACKEND) {
      at(`profiles[${i}].slurm`, `only used by a slurm or pbs backend; this profile runs on ${DEFAULT_BACKEND} (the spawner section)`);
    }
    if (backends[name]?.kind === 'pbs') for (const p of pbsProfileProblems(profile)) at(`profiles[${i}].${p.key}`, p.why);
    if (profile.kubernetes !== undefined && backends[name]?.kind !== 'kubernetes') at(`profiles[${i}].kubernetes`, `only used by a kubernetes backend; this profile runs on ${name}`);
  });
  return problems;
}
