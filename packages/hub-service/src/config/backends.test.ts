import { useConfigSandbox } from './testing/config-sandbox';

const FP = 'SHA256:' + 'A'.repeat(43);
const sandbox = useConfigSandbox('chcfg-backends-');

const profiles = (backend: string, extra = ''): string => `
profiles:
  - slug: cpu
    displayName: CPU
    kind: cpu
  - slug: hpc-gpu
    displayName: HPC GPU
    kind: gpu
    backend: ${backend}
    resources: { gpus: { count: 1, type: a100 } }${extra}
`;

describe('backends in the config', () => {
  it('resolves a Slurm backend over SSH, reading the key file relative to the config file', () => {
    sandbox.file('-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n', 'op_key');
    const config = sandbox.load(
      `backends:\n  hpc:\n    kind: slurm\n    transport: ssh\n    ssh: { hosts: ["login1:2222", login2], user: hubop, privateKeyFile: op_key, hostKeys: ["${FP}"] }\n` +
        profiles('hpc', '\n    slurm: { partition: gpu, choices: { account: any } }'),
    );
    const hpc = config.backends['hpc'];
    expect(hpc).toMatchObject({ name: 'hpc', kind: 'slurm', transport: 'ssh', sudo: true, commandDir: '', output: 'clusterhub-%j.log' });
    expect(hpc?.ssh).toMatchObject({ hosts: ['login1:2222', 'login2'], user: 'hubop', hostKeys: [FP], connectTimeoutSeconds: 10 });
    expect(hpc?.ssh?.privateKey).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(hpc?.cmd).toEqual(['batchspawner-singleuser', 'jupyterhub-singleuser']);
    expect(config.profiles.map((p) => p.backend)).toEqual(['default', 'hpc']);
  });

  it('reads the key from its variable and keeps existing configs (no backends) unchanged', () => {
    const config = sandbox.load(
      `backends:\n  hpc:\n    kind: pbs\n    transport: ssh\n    ssh: { hosts: [login1], user: hubop, privateKeyEnv: OP_KEY, hostKeys: ["${FP}"] }\n`,
      { OP_KEY: 'key-text' },
    );
    expect(config.backends['hpc']?.ssh?.privateKey).toBe('key-text');
    expect(sandbox.load('hub: {}\n').backends).toEqual({});
  });

  it('names the key of every mistake', () => {
    expect(sandbox.problemsOf(profiles('hpc'))).toEqual(['config error at profiles[1].backend: unknown backend "hpc" (known: default)']);
    expect(sandbox.problemsOf(`backends:\n  hpc: { kind: slurm, transport: ssh }\n`)).toEqual([
      'config error at backends.hpc.ssh: required when transport is ssh (hosts, user, privateKeyFile or privateKeyEnv)',
    ]);
    expect(sandbox.problemsOf(`backends:\n  hpc: { kind: slurm, transport: ssh, ssh: { hosts: [a], user: op } }\n`)).toEqual([
      "config error at backends.hpc.ssh.hostKeys: required: pin the login nodes' host keys (`ssh-keygen -lf <host key>.pub` prints SHA256:…)",
      'config error at backends.hpc.ssh: needs privateKeyFile or privateKeyEnv',
    ]);
    expect(sandbox.problemsOf(`backends:\n  hpc: { kind: slurm, transport: ssh, ssh: { hosts: [a], user: op, privateKeyEnv: NOPE, hostKeys: ["${FP}"] } }\n`)).toEqual([
      'config error at backends.hpc.ssh.privateKeyEnv: the environment variable NOPE is not set',
    ]);
    expect(sandbox.problemsOf(`backends:\n  hpc: { kind: slurm, transport: ssh, ssh: { hosts: [a], user: op, privateKeyFile: missing, hostKeys: ["${FP}"] } }\n`)).toEqual([
      expect.stringMatching(/^config error at backends\.hpc\.ssh\.privateKeyFile: cannot read .*missing \(ENOENT\)$/),
    ]);
    expect(sandbox.problemsOf(`backends:\n  hpc: { kind: slurm, ssh: { hosts: [a], user: op } }\n`)).toEqual([
      'config error at backends.hpc.ssh: only used with transport ssh; set transport: ssh or remove it',
    ]);
    expect(sandbox.problemsOf(`profiles:\n  - { slug: cpu, displayName: CPU, kind: cpu, slurm: { partition: cpu } }\n`)).toEqual([
      'config error at profiles[0].slurm: only used by a slurm or pbs backend; this profile runs on default (the spawner section)',
    ]);
  });

  it('refuses reserved and malformed backend names and injected Slurm values through the schema', () => {
    expect(sandbox.problemsOf(`backends:\n  default: { kind: slurm }\n`).join('\n')).toMatch(/backends/);
    expect(sandbox.problemsOf(`backends:\n  Bad_Name: { kind: slurm }\n`).join('\n')).toMatch(/backends/);
    expect(sandbox.problemsOf(`backends:\n  hpc: { kind: slurm }\n` + profiles('hpc', '\n    slurm: { partition: "gpu; rm -rf /" }')).join('\n')).toMatch(
      /profiles\[1\]\.slurm\.partition/,
    );
    expect(sandbox.problemsOf(`backends:\n  hpc: { kind: slurm }\n` + profiles('hpc', '\n    slurm: { prologue: ["module load x\\nexit"] }')).join('\n')).toMatch(
      /profiles\[1\]\.slurm\.prologue\[0\]/,
    );
  });
});
