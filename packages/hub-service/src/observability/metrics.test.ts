import { HubMetrics } from './metrics';

const instances: HubMetrics[] = [];

function newMetrics(...args: ConstructorParameters<typeof HubMetrics>): HubMetrics {
  const m = new HubMetrics(...args);
  instances.push(m);
  return m;
}

afterEach(() => {
  for (const m of instances.splice(0)) m.stop();
});

/** Resolves after `ms` milliseconds. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('HubMetrics', () => {
  it("exports JupyterHub's metric names and the spawn rejection counter", async () => {
    const text = await newMetrics().metrics();
    for (const name of [
      'jupyterhub_request_duration_seconds',
      'jupyterhub_server_spawn_duration_seconds',
      'jupyterhub_running_servers',
      'jupyterhub_total_users',
      'jupyterhub_check_routes_duration_seconds',
      'jupyterhub_proxy_add_duration_seconds',
      'jupyterhub_proxy_delete_duration_seconds',
      'jupyterhub_server_poll_duration_seconds',
      'jupyterhub_server_stop_seconds',
      'jupyterhub_login_duration_seconds',
      'jupyterhub_hub_startup_duration_seconds',
      'jupyterhub_event_loop_interval_seconds',
      'clusterhub_spawn_rejections_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).not.toContain('process_cpu');
  });

  it('records observations with their labels', async () => {
    const m = newMetrics();
    m.observeRequest({ method: 'GET', handler: '/hub/api/users', code: 200 }, 0.003);
    m.observeSpawn('success', 3);
    m.observeSpawn('throttled', 0.001);
    m.observeProxyAdd('success', 0.01);
    m.observeProxyDelete('failure', 0.02);
    m.observeServerPoll('running', 0.001);
    m.observeServerStop('success', 1);
    m.observeLogin('failure', 0.2);
    m.observeCheckRoutes(0.05);
    m.observeHubStartup(1.5);
    m.countSpawnRejection('concurrent-spawn-limit');
    m.countSpawnRejection('concurrent-spawn-limit');
    const text = await m.metrics();
    expect(text).toContain('jupyterhub_request_duration_seconds_count{method="GET",handler="/hub/api/users",code="200"} 1');
    expect(text).toContain('jupyterhub_server_spawn_duration_seconds_bucket{le="2.5",status="success"} 0');
    expect(text).toContain('jupyterhub_server_spawn_duration_seconds_bucket{le="5",status="success"} 1');
    expect(text).toContain('jupyterhub_server_spawn_duration_seconds_bucket{le="120",status="success"} 1');
    expect(text).toContain('jupyterhub_server_spawn_duration_seconds_count{status="throttled"} 1');
    expect(text).toContain('jupyterhub_proxy_add_duration_seconds_count{status="success"} 1');
    expect(text).toContain('jupyterhub_proxy_delete_duration_seconds_count{status="failure"} 1');
    expect(text).toContain('jupyterhub_server_poll_duration_seconds_count{status="running"} 1');
    expect(text).toContain('jupyterhub_server_stop_seconds_count{status="success"} 1');
    expect(text).toContain('jupyterhub_login_duration_seconds_count{status="failure"} 1');
    expect(text).toContain('jupyterhub_check_routes_duration_seconds_count 1');
    expect(text).toContain('jupyterhub_hub_startup_duration_seconds_sum 1.5');
    expect(text).toContain('clusterhub_spawn_rejections_total{reason="concurrent-spawn-limit"} 2');
  });

  it('sets the gauges directly or from a callback on each scrape', async () => {
    const direct = newMetrics();
    direct.setGauges({ runningServers: 3, totalUsers: 10 });
    const text = await direct.metrics();
    expect(text).toContain('jupyterhub_running_servers 3');
    expect(text).toContain('jupyterhub_total_users 10');

    let users = 0;
    const fromCallback = newMetrics({ gauges: async () => ({ runningServers: users * 2, totalUsers: users }) });
    users = 7;
    expect(await fromCallback.metrics()).toContain('jupyterhub_total_users 7');
    users = 8;
    const later = await fromCallback.metrics();
    expect(later).toContain('jupyterhub_total_users 8');
    expect(later).toContain('jupyterhub_running_servers 16');
  });

  it('keeps each instance apart (no global registry)', async () => {
    const a = newMetrics();
    const b = newMetrics();
    a.countSpawnRejection('budget');
    expect(await a.metrics()).toContain('clusterhub_spawn_rejections_total{reason="budget"} 1');
    expect(await b.metrics()).not.toContain('reason="budget"');
  });

  it('fills the event-loop histogram from the probe', async () => {
    const m = newMetrics({ eventLoopResolutionMs: 5 });
    let count = 0;
    for (let i = 0; i < 100 && count === 0; i += 1) {
      await pause(10);
      const match = /^jupyterhub_event_loop_interval_seconds_count (\d+)$/m.exec(await m.metrics());
      count = Number(match?.[1] ?? 0);
    }
    expect(count).toBeGreaterThan(0);
    m.stop();
    const after = /^jupyterhub_event_loop_interval_seconds_count (\d+)$/m.exec(await m.metrics());
    expect(Number(after?.[1])).toBeGreaterThanOrEqual(count);
  });

  it('exports per-server GPU gauges with user, server, profile and gpu labels, replaced on each update and cleared when a server is gone', async () => {
    const m = newMetrics();
    const held = { user: 'alice', server: '', profile: 'gpu-1x', gpu: '0', uuid: 'GPU-a6b9', utilizationPercent: 100, memoryUsedBytes: 8968 * 1024 * 1024 };
    const slice = { user: 'bob', server: 'mig', profile: 'mig-1g.5gb', gpu: '1/9/0', uuid: 'GPU-0f0e', utilizationPercent: null, memoryUsedBytes: 1024 };
    m.setServerGpu([held, slice]);
    m.countGpuSample('success');
    m.countGpuSample('failure');
    let text = await m.metrics();
    expect(text).toContain('clusterhub_gpu_utilization_percent{user="alice",server="",profile="gpu-1x",gpu="0",uuid="GPU-a6b9"} 100');
    expect(text).toContain('clusterhub_gpu_memory_used_bytes{user="alice",server="",profile="gpu-1x",gpu="0",uuid="GPU-a6b9"} 9403629568');
    // A MIG device without a utilisation reading exports its memory only.
    expect(text).toContain('clusterhub_gpu_memory_used_bytes{user="bob",server="mig",profile="mig-1g.5gb",gpu="1/9/0",uuid="GPU-0f0e"} 1024');
    expect(text).not.toContain('clusterhub_gpu_utilization_percent{user="bob"');
    expect(text).toContain('clusterhub_gpu_samples_total{status="success"} 1');
    expect(text).toContain('clusterhub_gpu_samples_total{status="failure"} 1');

    // Bob's server stopped: his series go; Alice's value is the new one.
    m.setServerGpu([{ ...held, utilizationPercent: 0 }]);
    text = await m.metrics();
    expect(text).toContain('clusterhub_gpu_utilization_percent{user="alice",server="",profile="gpu-1x",gpu="0",uuid="GPU-a6b9"} 0');
    expect(text).not.toContain('user="bob"');
    m.setServerGpu([]);
    expect(await m.metrics()).not.toContain('user="alice"');
  });

  it('can add process metrics and reports its content type', async () => {
    const m = newMetrics({ processMetrics: true });
    expect(await m.metrics()).toContain('process_cpu_user_seconds_total');
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
