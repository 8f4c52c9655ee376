/**
 * The DCGM source over real HTTP: a local server plays the exporters of two GPU nodes, serving the
 * FAKE exporter outputs of test/fixtures/gpu/fake-dcgm/ (see their README) as dcgm-exporter does.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import * as path from 'node:path';
import type { ServerRecord } from '../../../store/store';
import { podName } from '../../../spawners/kubernetes/names';
import { classifyReading } from '../classify';
import { deviceKey } from '../sample';
import type { GpuWatchedServer } from '../source';
import { GPU_FIXTURES } from '../testing/fixtures';
import { watchedServer } from '../testing/watched-server';
import { createDcgmGpuSource, type DcgmGpuSource } from './dcgm-source';
import { podEndpoints, urlEndpoints } from './endpoints';
import { fetchMetricsText } from './scrape';

const FAKE_DCGM = path.join(GPU_FIXTURES, 'fake-dcgm');
const AT = Date.UTC(2026, 10, 30, 22, 0, 0);
const POLICY = { thresholdPercent: 10 };

const bodies: Record<string, string> = {
  '/full/metrics': readFileSync(path.join(FAKE_DCGM, 'node-full.txt'), 'utf8'),
  '/mig/metrics': readFileSync(path.join(FAKE_DCGM, 'node-mig.txt'), 'utf8'),
  '/html/metrics': '<html><body>Bad Gateway</body></html>\n',
};
const hits = new Map<string, number>();
let exporters: Server;
let base = '';
let closedPortUrl = '';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  exporters = createServer((req, res) => {
    const url = req.url ?? '';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    if (url === '/hang/metrics') return; // never answers
    const body = bodies[url];
    if (url === '/broken/metrics' || body === undefined) {
      res.writeHead(url === '/broken/metrics' ? 500 : 404).end('no');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  base = `http://127.0.0.1:${await listen(exporters)}`;
  // A port nothing listens on: an exporter that is down.
  const gone = createServer();
  const port = await listen(gone);
  await new Promise((resolve) => gone.close(resolve));
  closedPortUrl = `http://127.0.0.1:${port}/metrics`;
});

afterAll(async () => {
  exporters.closeAllConnections();
  await new Promise((resolve) => exporters.close(resolve));
});

beforeEach(() => hits.clear());

function watched(user: string, server = '', over: Partial<ServerRecord> = {}): GpuWatchedServer {
  return watchedServer(
    user,
    server,
    {
      spawnerKind: 'kubernetes',
      backend: 'gpu',
      handle: { namespace: 'jhub', pod: podName(user, server), uid: `uid-${user}-${server}` },
      target: 'http://10.0.0.1:8888',
      started: new Date(AT - 60_000),
      created: new Date(AT - 120_000),
      ...over,
    },
    AT - 60_000,
  );
}

const SERVERS = [watched('alice'), watched('bob'), watched('carol', 'gpu'), watched('dora'), watched('erin')];

function source(urls: string[], timeoutMs = 5000): DcgmGpuSource {
  return createDcgmGpuSource({ backend: 'gpu', exporter: { kind: 'urls', urls }, timeoutMs, clock: () => AT });
}

describe('DcgmGpuSource against exporters over HTTP', () => {
  it('scrapes each exporter once and gives each pod its GPU or MIG slice: busy, held-idle, nothing of other namespaces', async () => {
    const outcome = await source([`${base}/full/metrics`, `${base}/mig/metrics`]).collect(SERVERS);
    expect(Object.fromEntries(hits)).toEqual({ '/full/metrics': 1, '/mig/metrics': 1 });
    expect(outcome.at).toBe(AT);
    expect(outcome.failures).toBeUndefined();
    // erin's pod is on no exporter: no reading (a gap, never "idle").
    expect([...outcome.readings.keys()].sort()).toEqual(['alice/', 'bob/', 'carol/gpu', 'dora/']);
    const activity = (key: string): string => {
      const reading = outcome.readings.get(key);
      if (!reading) throw new Error(`no reading for ${key}`);
      return classifyReading(reading, POLICY);
    };
    expect(['alice/', 'bob/', 'carol/gpu', 'dora/'].map(activity)).toEqual(['busy', 'held-idle', 'busy', 'held-idle']);
    // alice's reading is her H200 only: the MIG slice of the pod named jupyter-alice in other-team is not hers.
    expect(outcome.readings.get('alice/')?.devices.map(deviceKey)).toEqual(['GPU-fa4e0000-0000-4000-8000-00000000a000']);
    expect(outcome.readings.get('dora/')?.devices).toEqual([expect.objectContaining({ gpuInstanceId: 7, utilizationPercent: 0, at: AT })]);
    expect(outcome.devices.map((d) => [d.node, deviceKey(d.sample), d.holders])).toEqual([
      ['gpu-full-1', 'GPU-fa4e0000-0000-4000-8000-00000000a000', ['alice/']],
      ['gpu-full-1', 'GPU-fa4e0000-0000-4000-8000-00000000a001', ['bob/']],
      ['gpu-mig-1', 'GPU-fa4e0000-0000-4000-8000-00000000b001', []],
      ['gpu-mig-1', 'GPU-fa4e0000-0000-4000-8000-00000000b000/1/?', ['carol/gpu']],
      ['gpu-mig-1', 'GPU-fa4e0000-0000-4000-8000-00000000b000/7/?', ['dora/']],
      ['gpu-mig-1', 'GPU-fa4e0000-0000-4000-8000-00000000b000/8/?', []],
      ['gpu-mig-1', 'GPU-fa4e0000-0000-4000-8000-00000000b000/9/?', []],
    ]);
  });

  it('scrapes once per round however many servers it is asked about', async () => {
    const many = [...SERVERS, ...Array.from({ length: 20 }, (_, i) => watched(`user${i}`))];
    await source([`${base}/mig/metrics`]).collect(many);
    await source([`${base}/mig/metrics`]).collect(SERVERS);
    expect(hits.get('/mig/metrics')).toBe(2);
  });

  it('an exporter that is down gives no reading for the servers on its node and a failure; the other node still counts', async () => {
    const outcome = await source([`${base}/full/metrics`, closedPortUrl]).collect(SERVERS);
    expect([...outcome.readings.keys()].sort()).toEqual(['alice/', 'bob/']);
    const host = new URL(closedPortUrl).host;
    expect([...(outcome.failures ?? new Map<string, string>()).keys()]).toEqual([host]);
    expect(outcome.failures?.get(host)).toMatch(new RegExp(`^${closedPortUrl.replace(/[.]/g, '\\.')}: fetch failed: .*ECONNREFUSED`));
    expect(outcome.devices.every((d) => d.node === 'gpu-full-1')).toBe(true);
  });

  it('an HTTP error, a body that is not metrics text, or no answer in time is a failure of that exporter', async () => {
    // One bad exporter per round: in this test they all share one host, the key of a failure.
    const many = await Promise.all(
      [`${base}/broken/metrics`, `${base}/html/metrics`, `${base}/hang/metrics`].map((url) => source([`${base}/full/metrics`, url], 300).collect(SERVERS)),
    );
    expect(many.map((o) => [...(o.failures?.values() ?? [])][0])).toEqual([
      `${base}/broken/metrics: HTTP 500`,
      `${base}/html/metrics: not Prometheus metrics text (line 1: does not start with a metric name)`,
      `${base}/hang/metrics: no answer within 300 ms`,
    ]);
    expect(many.every((o) => o.readings.has('alice/') && !o.readings.has('dora/'))).toBe(true);
  });

  it('reads no more than its limit from an exporter', async () => {
    await expect(fetchMetricsText(`${base}/full/metrics`, 5000, 100)).rejects.toThrow('the answer is larger than 100 bytes');
    await expect(fetchMetricsText(`${base}/mig/metrics`, 5000)).resolves.toContain('GPU_I_PROFILE="3g.20gb"');
  });

  it('rejects when no exporter answers, or there is none to ask', async () => {
    await expect(source([closedPortUrl]).collect(SERVERS)).rejects.toThrow(/^no dcgm-exporter answered: http:\/\/127\.0\.0\.1:\d+\/metrics: fetch failed/);
    const none = createDcgmGpuSource({ backend: 'gpu', exporter: { kind: 'urls', urls: [] }, timeoutMs: 1000, endpoints: () => Promise.resolve([]) });
    await expect(none.collect(SERVERS)).rejects.toThrow('no dcgm-exporter to scrape (no running exporter pod found)');
  });

  it('serves the running pods of its own kubernetes backend only', () => {
    const s = source([`${base}/full/metrics`]);
    expect(s.name).toBe('dcgm:gpu');
    expect(s.serves(watched('alice'))).toBe(true);
    expect(s.serves(watched('alice', '', { backend: 'other-k8s' }))).toBe(false);
    expect(s.serves(watched('alice', '', { spawnerKind: 'local-process', handle: { pid: 12, pgid: 12 } }))).toBe(false);
    expect(s.serves(watched('alice', '', { handle: null }))).toBe(false);
    expect(s.serves(watched('alice', '', { handle: { namespace: 'jhub' } }))).toBe(false);
  });
});

describe('dcgm-exporter endpoints', () => {
  it('configured URLs: one per distinct URL, for their host', () => {
    expect(urlEndpoints(['http://node1:9400/metrics', 'http://node1:9400/metrics', 'http://[fd00::2]:9400/metrics'])).toEqual([
      { url: 'http://node1:9400/metrics', node: 'node1:9400' },
      { url: 'http://[fd00::2]:9400/metrics', node: '[fd00::2]:9400' },
    ]);
  });

  it('listed exporter pods: the running ones with an IP, at their port, for their node', () => {
    const pod = (name: string, phase: string, ip: string | undefined, node: string | undefined, deleting = false): Parameters<typeof podEndpoints>[0][number] => ({
      metadata: { name, ...(deleting ? { deletionTimestamp: new Date(AT) } : {}) },
      spec: { containers: [], ...(node ? { nodeName: node } : {}) },
      status: { phase, ...(ip ? { podIP: ip } : {}) },
    });
    expect(
      podEndpoints(
        [
          pod('dcgm-a', 'Running', '10.1.0.5', 'gpu-full-1'),
          pod('dcgm-b', 'Running', 'fd00::7', 'gpu-mig-1'),
          pod('dcgm-c', 'Pending', undefined, 'gpu-new'),
          pod('dcgm-d', 'Running', '10.1.0.9', 'gpu-old', true),
          pod('dcgm-e', 'Running', '10.1.0.5', 'gpu-full-1'),
          pod('dcgm-f', 'Running', '10.1.0.6', undefined),
        ],
        9400,
      ),
    ).toEqual([
      { url: 'http://10.1.0.5:9400/metrics', node: 'gpu-full-1' },
      { url: 'http://[fd00::7]:9400/metrics', node: 'gpu-mig-1' },
      { url: 'http://10.1.0.6:9400/metrics', node: 'dcgm-f' },
    ]);
  });

  it('a pod list that gets no answer in time fails the round', async () => {
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => void sockets.add(socket.on('error', () => undefined)));
    const port = await listen(silent as unknown as Server);
    try {
      const k8s = await import('@kubernetes/client-node');
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: 'u', token: 't' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const s = createDcgmGpuSource({ backend: 'gpu', exporter: { kind: 'pods', namespace: 'gpu-operator', labelSelector: 'app=dcgm', port: 9400 }, timeoutMs: 300, kubeConfig: () => Promise.resolve(kc) });
      await expect(s.collect(SERVERS)).rejects.toThrow('cannot list the dcgm-exporter pods (namespace gpu-operator, app=dcgm): no answer within 300 ms');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('finding exporter pods needs the backend connection', () => {
    expect(() => createDcgmGpuSource({ backend: 'gpu', exporter: { kind: 'pods', namespace: 'gpu-operator', labelSelector: 'app=nvidia-dcgm-exporter', port: 9400 }, timeoutMs: 1000 })).toThrow(
      'finding dcgm-exporter pods needs the backend\u2019s Kubernetes connection',
    );
  });
});
