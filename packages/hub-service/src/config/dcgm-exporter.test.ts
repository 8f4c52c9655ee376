import { metricsUrl } from './dcgm-exporter';
import { useConfigSandbox } from './testing/config-sandbox';

const sandbox = useConfigSandbox('chcfg-dcgm-');

/** A kubernetes backend `gpu` whose section ends with `dcgmExporter: <section>`. */
function withExporter(section: string): string {
  return `backends:\n  gpu: { kind: kubernetes, kubernetes: { apiServer: "https://k:6443", caFile: ca.crt, tokenEnv: T, namespace: jhub, image: i, dcgmExporter: ${section} } }\n`;
}

const ENV = { T: 'token' };

describe('a kubernetes backend\u2019s dcgmExporter section', () => {
  beforeEach(() => sandbox.file('ca', 'ca.crt'));

  it('is absent by default, and resolves a URL list (a URL without a path gets /metrics) or a pod selector (port 9400 by default)', () => {
    const none = withExporter('{}').replace(', dcgmExporter: {}', '');
    expect(sandbox.load(none, ENV).backends['gpu']?.kubernetes?.dcgmExporter).toBeNull();
    const urls = sandbox.load(withExporter('{ urls: ["http://gpu-node-1:9400", "http://gpu-node-2:9400/metrics"] }'), ENV);
    expect(urls.backends['gpu']?.kubernetes?.dcgmExporter).toEqual({ kind: 'urls', urls: ['http://gpu-node-1:9400/metrics', 'http://gpu-node-2:9400/metrics'] });
    const pods = sandbox.load(withExporter('{ namespace: gpu-operator, labelSelector: app=nvidia-dcgm-exporter }'), ENV);
    expect(pods.backends['gpu']?.kubernetes?.dcgmExporter).toEqual({ kind: 'pods', namespace: 'gpu-operator', labelSelector: 'app=nvidia-dcgm-exporter', port: 9400 });
    const port = sandbox.load(withExporter('{ namespace: gpu-operator, labelSelector: app=dcgm, port: 9500 }'), ENV);
    expect(port.backends['gpu']?.kubernetes?.dcgmExporter).toMatchObject({ kind: 'pods', port: 9500 });
  });

  it('refuses what cannot work, naming the key', () => {
    const key = 'config error at backends.gpu.kubernetes.dcgmExporter';
    expect(sandbox.problemsOf(withExporter('{}'), ENV)).toEqual([`${key}: set urls (the exporters\u2019 metrics URLs), or namespace and labelSelector (the exporter pods)`]);
    expect(sandbox.problemsOf(withExporter('{ urls: ["http://n:9400"], namespace: gpu-operator, port: 9400 }'), ENV)).toEqual([
      `${key}.namespace: only used to find exporter pods; remove it or remove urls`,
      `${key}.port: only used to find exporter pods; remove it or remove urls`,
    ]);
    expect(sandbox.problemsOf(withExporter('{ labelSelector: app=dcgm }'), ENV)).toEqual([`${key}.namespace: required with labelSelector: the namespace of the exporter pods`]);
    expect(sandbox.problemsOf(withExporter('{ namespace: gpu-operator, port: 9400 }'), ENV)).toEqual([`${key}.labelSelector: required to find the exporter pods (e.g. app=nvidia-dcgm-exporter)`]);
    const schema = (section: string): string => sandbox.problemsOf(withExporter(section), ENV).join('\n');
    expect(schema('{ urls: [] }')).toMatch(/backends\.gpu\.kubernetes\.dcgmExporter\.urls/);
    expect(schema('{ urls: ["ftp://n/metrics"] }')).toMatch(/backends\.gpu\.kubernetes\.dcgmExporter\.urls\[0\]/);
    expect(schema('{ urls: ["http://a:1", "http://a:1"] }')).toMatch(/backends\.gpu\.kubernetes\.dcgmExporter\.urls/);
    expect(schema('{ namespace: Gpu_Operator, labelSelector: a=b }')).toMatch(/backends\.gpu\.kubernetes\.dcgmExporter\.namespace/);
    expect(schema('{ namespace: gpu-operator, labelSelector: a=b, port: 70000 }')).toMatch(/backends\.gpu\.kubernetes\.dcgmExporter\.port/);
    expect(schema('{ namespace: gpu-operator, labelSelector: "" }')).toMatch(/backends\.gpu\.kubernetes\.dcgmExporter\.labelSelector/);
    expect(schema('{ url: "http://n:9400" }')).toMatch(/backends\.gpu\.kubernetes\.dcgmExporter.*url/);
  });

  it('keeps a URL with a path as it is', () => {
    expect(metricsUrl('http://n:9400/custom/path')).toBe('http://n:9400/custom/path');
    expect(metricsUrl('https://n/')).toBe('https://n/metrics');
  });
});
