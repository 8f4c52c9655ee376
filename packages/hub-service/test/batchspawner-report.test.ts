/**
 * `POST /hub/api/batchspawner`: the port report batchspawner's `batchspawner-singleuser` sends from
 * inside a batch job (test-environment.md: `{"port": N}` with the server's own token). Here a
 * backend that waits for the report the way the batch backend does (persist the job handle, wait
 * for the port, then serve); the real wrapper inside a real Slurm job is covered by the Slurm tests.
 */
import { apiCall } from './harness/api-call';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import type { SpawnContext, SpawnHandle, SpawnRequest, SpawnResult } from '../src/spawners/spawner';

/** Persists a job-like handle at once, waits for the port report, then starts a fake server. */
class ReportingSpawner extends FakeSpawner {
  readonly reported: number[] = [];
  readonly stopped: SpawnHandle[] = [];
  readonly submitted: SpawnRequest[] = [];
  override async start(request: SpawnRequest, ctx: SpawnContext): Promise<SpawnResult> {
    this.submitted.push(request);
    await ctx.persistHandle?.({ job: `job-${request.server.id}` });
    ctx.onProgress({ message: 'Job submitted, waiting for the server to report its port' });
    const port = await (ctx.waitForPortReport?.() ?? Promise.reject(new Error('no report channel')));
    this.reported.push(port);
    return super.start(request, ctx);
  }
  override async stop(handle: SpawnHandle, opts: { timeoutSeconds: number }): Promise<void> {
    this.stopped.push(handle);
    await super.stop(handle, opts);
  }
}

let t: TestHub;
let spawner: ReportingSpawner;
const report = (token: string | undefined, body: unknown): ReturnType<typeof apiCall> => apiCall(`${t.apiUrl}/batchspawner`, { method: 'POST', token, body });
const serverToken = (): string => spawner.submitted.at(-1)?.env['JUPYTERHUB_API_TOKEN'] ?? '';

beforeEach(async () => {
  spawner = new ReportingSpawner();
  t = await startTestHub({ overrides: { spawner }, config: { hub: { slowSpawnTimeoutSeconds: 0.5 } } });
});
afterEach(async () => {
  await t.stop();
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached');
}

describe('POST /hub/api/batchspawner', () => {
  it("takes the port from the server's own token, ignores other keys, and the start completes", async () => {
    const alice = await t.addUser('alice');
    expect((await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: alice })).status).toBe(202);
    await waitFor(async () => spawner.submitted.length === 1);
    const row = await t.hub.context.store.servers.get((await t.hub.context.store.users.getByName('alice'))?.id ?? 0, '');
    expect(row).toMatchObject({ state: 'pending-start', handle: { job: `job-${row?.id}` }, target: null });
    const reply = await report(serverToken(), { port: 51234, ip: 'ignored' });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ message: 'BatchSpawner data configured' });
    await waitFor(async () => ((await apiCall(`${t.apiUrl}/users/alice`, { token: alice })).json as { server: string | null }).server !== null);
    expect(spawner.reported).toEqual([51234]);
    const again = await report(serverToken(), { port: 51235 });
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ code: 'server_not_starting' });
  });

  it('refuses other tokens and bad ports with a clear answer, and the start keeps waiting', async () => {
    const alice = await t.addUser('alice');
    await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: alice });
    await waitFor(async () => spawner.submitted.length === 1);
    expect((await report(undefined, { port: 5000 })).json).toMatchObject({ code: 'not_authenticated' });
    expect((await report(alice, { port: 5000 })).json).toMatchObject({ code: 'forbidden', message: "Only a server's own token can report its port." });
    for (const port of ['5000', 0, 70000, 5000.5, null]) {
      const reply = await report(serverToken(), { port });
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ code: 'validation_failed', message: 'Invalid port: must be an integer from 1 to 65535.' });
    }
    expect(spawner.reported).toEqual([]);
    expect(((await apiCall(`${t.apiUrl}/users/alice`, { token: alice })).json as { pending: string | null }).pending).toBe('spawn');
  });

  it('a start cancelled while the job waits stops the persisted job (no ghost job)', async () => {
    const alice = await t.addUser('alice');
    await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'POST', token: alice });
    await waitFor(async () => spawner.submitted.length === 1);
    expect((await apiCall(`${t.apiUrl}/users/alice/server`, { method: 'DELETE', token: alice })).status).toBeLessThan(300);
    await waitFor(async () => spawner.stopped.length > 0);
    expect(spawner.stopped[0]).toMatchObject({ job: expect.stringMatching(/^job-\d+$/) });
  });
});
