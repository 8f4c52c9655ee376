import { useConfigSandbox } from './testing/config-sandbox';

const sandbox = useConfigSandbox('chcfg-k8s-');

const k8sProfile = `
profiles:
  - { slug: cpu, displayName: CPU, kind: cpu }
  - { slug: a100, displayName: A100, kind: gpu, backend: gpu, resources: { gpus: { count: 1 } } }
`;

describe('kubernetes backends in the config', () => {
  it('resolves a kubernetes backend: defaults filled, the CA and token files relative to the config file', () => {
    sandbox.file('ca', 'ca.crt');
    sandbox.file('token', 'token');
    const config = sandbox.load(
      `backends:\n  gpu:\n    kind: kubernetes\n    kubernetes: { apiServer: "https://k8s.example:6443", caFile: ca.crt, tokenFile: token, namespace: jhub, image: "registry.example/jupyter/base-notebook:2026-01", storage: {}, scratch: { sizeLimit: 5Gi } }\n` +
        k8sProfile,
    );
    const gpu = config.backends['gpu'];
    expect(gpu?.kind).toBe('kubernetes');
    expect(gpu?.kubernetes?.connection).toMatchObject({ kind: 'token', server: 'https://k8s.example:6443', token: null });
    expect(gpu?.kubernetes?.connection).toHaveProperty('tokenFile', expect.stringMatching(/token$/));
    expect(gpu?.kubernetes?.cmd).toEqual(['jupyterhub-singleuser']);
    expect(gpu?.kubernetes?.pod).toMatchObject({
      namespace: 'jhub',
      defaultImage: 'registry.example/jupyter/base-notebook:2026-01',
      uid: 1000,
      gid: 100,
      automountServiceAccountToken: false,
      storage: { nameTemplate: 'claim-{username}', size: '10Gi', accessModes: ['ReadWriteOnce'], mountPath: '/home/jovyan' },
      scratch: { mountPath: '/scratch', sizeLimit: '5Gi' },
    });
    expect(config.profiles.map((p) => p.backend)).toEqual(['default', 'gpu']);
    // Capacity counts the namespace's pods unless told otherwise (a namespaced Role suffices).
    expect(gpu?.kubernetes?.capacityPods).toBe('namespace');
  });

  it('counts every namespace\'s pods for capacity with capacityPods: cluster; another value is refused, naming the key', () => {
    sandbox.file('ca', 'ca.crt');
    const base = 'kind: kubernetes, kubernetes: { apiServer: "https://k:6443", caFile: ca.crt, tokenEnv: T, namespace: jhub, image: i';
    expect(sandbox.load(`backends:\n  gpu: { ${base}, capacityPods: cluster } }\n`, { T: 't' }).backends['gpu']?.kubernetes?.capacityPods).toBe('cluster');
    expect(sandbox.problemsOf(`backends:\n  gpu: { ${base}, capacityPods: everywhere } }\n`, { T: 't' }).join('\n')).toMatch(/backends\.gpu\.kubernetes\.capacityPods/);
  });

  it('takes the token from a variable, or a kubeconfig file', () => {
    sandbox.file('ca', 'ca.crt');
    sandbox.file('apiVersion: v1\n', 'hub.kubeconfig');
    const byEnv = sandbox.load(`backends:\n  gpu: { kind: kubernetes, kubernetes: { apiServer: "https://k:6443", caFile: ca.crt, tokenEnv: HUB_TOKEN, namespace: jhub, image: i } }\n`, { HUB_TOKEN: 'tok' });
    expect(byEnv.backends['gpu']?.kubernetes?.connection).toMatchObject({ kind: 'token', token: 'tok', tokenFile: null });
    const byFile = sandbox.load(`backends:\n  gpu: { kind: kubernetes, kubernetes: { kubeconfigFile: hub.kubeconfig, namespace: jhub, image: i } }\n`);
    expect(byFile.backends['gpu']?.kubernetes?.connection).toMatchObject({ kind: 'kubeconfig', file: expect.stringMatching(/hub\.kubeconfig$/) });
  });

  it('refuses what cannot work, naming the key', () => {
    expect(sandbox.problemsOf(`backends:\n  gpu: { kind: kubernetes }\n`)).toEqual([
      'config error at backends.gpu.kubernetes: required when kind is kubernetes (namespace, image, and how to reach the API server)',
    ]);
    expect(sandbox.problemsOf(`backends:\n  hpc: { kind: slurm, kubernetes: { namespace: a, image: i } }\n`)).toEqual([
      'config error at backends.hpc.kubernetes: only used by kind kubernetes; this backend is slurm',
    ]);
    expect(sandbox.problemsOf(`backends:\n  gpu: { kind: kubernetes, kubernetes: { namespace: jhub, image: i, tokenEnv: NOPE } }\n`)).toEqual([
      'config error at backends.gpu.kubernetes.tokenEnv: the environment variable NOPE is not set',
      'config error at backends.gpu.kubernetes.apiServer: required outside a cluster (KUBERNETES_SERVICE_HOST is not set); or set kubeconfigFile',
    ]);
    expect(sandbox.problemsOf(`backends:\n  gpu: { kind: kubernetes, kubernetes: { apiServer: "https://k:6443", namespace: jhub, image: i, storage: { nameTemplate: "Home_{username}" } } }\n`)[0]).toMatch(
      /^config error at backends\.gpu\.kubernetes\.storage\.nameTemplate: /,
    );
    expect(sandbox.problemsOf(`backends:\n  gpu: { kind: kubernetes, kubernetes: { apiServer: "https://k:6443", namespace: Not_A_Namespace, image: i } }\n`).join('\n')).toMatch(/backends\.gpu\.kubernetes\.namespace/);
    expect(sandbox.problemsOf(`profiles:\n  - { slug: cpu, displayName: CPU, kind: cpu, kubernetes: { runtimeClassName: "" } }\n`)).toEqual([
      'config error at profiles[0].kubernetes: only used by a kubernetes backend; this profile runs on default',
    ]);
    expect(sandbox.problemsOf(`profiles:\n  - { slug: cpu, displayName: CPU, kind: cpu, kubernetes: { nodeSelectr: { a: b } } }\n`).join('\n')).toMatch(/profiles\[0\]\.kubernetes.*nodeSelectr/);
    expect(() => sandbox.load(`backends:\n  gpu: { kind: kubernetes, kubernetes: { apiServer: "https://k:6443", caFile: missing.crt, tokenEnv: T, namespace: jhub, image: i } }\n`, { T: 't' })).toThrow(
      /config error at backends\.gpu\.kubernetes\.caFile: cannot read .*missing\.crt \(ENOENT\)/,
    );
  });
});
