/**
 * Busy kernels as activity (issue 9) with a real jupyterhub-singleuser server and the hub's clock
 * moved on by the test: a cell that runs silently (no output, so the server reports no activity
 * after its start) keeps the server, unwarned, although the hub saw no activity for longer than
 * the idle timeout; once the cell is interrupted, the next pass warns the server and the pass a
 * warning later stops it with the reason `idle`.
 * The hub asks the server for its kernels with a token it mints for the purpose and deletes after.
 */
import { startTestHub, type TestHub } from './harness/hub-harness';
import { apiCall, isRecord, KernelChannel, pollUntil, serverModel, startKernel, startServerAndWait } from './harness/singleuser';

jest.setTimeout(240_000);

const USER = 'kernel-busy';
const HOUR = 3_600_000;

describe('built-in culler: a busy kernel is activity', () => {
  let t: TestHub;
  let token = '';
  let offset = 0;
  let channel: KernelChannel | null = null;

  beforeAll(async () => {
    t = await startTestHub({
      // Passes are run by the test (cullOnce); the hub's clock runs `offset` ahead of the real one.
      config: { culler: { enabled: true, intervalSeconds: 86_400, idleTimeoutSeconds: 600 } },
      overrides: { clock: () => Date.now() + offset },
    });
    token = await t.addUser(USER);
  }, 120_000);

  afterAll(async () => {
    await channel?.close();
    await apiCall(`${t.apiUrl}/users/${USER}/server`, t.adminToken, { method: 'DELETE' }).catch(() => undefined);
    await t.stop();
  }, 120_000);

  it('keeps a server whose kernel runs a silent cell, and culls it once the cell is over', async () => {
    await startServerAndWait(t, USER, token);
    const serverUrl = `${t.publicUrl}/user/${USER}/`;
    const kernelId = await startKernel(serverUrl, token);
    channel = await KernelChannel.open(serverUrl, kernelId, token);
    const run = channel.send('shell', 'execute_request', { code: 'import time\ntime.sleep(600)', silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    await pollUntil(
      'the kernel to be busy',
      async () => {
        const res = await apiCall(`${serverUrl}api/kernels/${kernelId}`, token);
        return isRecord(res.body) && res.body['execution_state'] === 'busy' ? true : undefined;
      },
      60_000,
    );
    const tokensBefore = (await t.hub.context.store.tokens.listForUser((await t.hub.context.store.users.getByName(USER))?.id ?? 0)).length;

    offset += 2 * HOUR;
    const kept = await t.hub.culler?.cullOnce();
    expect(kept?.filter((a) => a.user === USER)).toEqual([]);
    const model = await serverModel(t, USER);
    expect(model?.ready).toBe(true);
    expect(model?.message).toBeNull();
    // The busy kernel counted as activity at the pass.
    expect(Date.parse(String(model?.last_activity))).toBeGreaterThanOrEqual(Date.now() + offset - 60_000);
    // The token minted for the question is gone.
    const user = await t.hub.context.store.users.getByName(USER);
    expect((await t.hub.context.store.tokens.listForUser(user?.id ?? 0)).length).toBe(tokensBefore);

    channel.send('control', 'interrupt_request', {});
    await channel.waitFor(run, 'execute_reply');
    await pollUntil(
      'the kernel to be idle',
      async () => {
        const res = await apiCall(`${serverUrl}api/kernels/${kernelId}`, token);
        return isRecord(res.body) && res.body['execution_state'] === 'idle' ? true : undefined;
      },
      60_000,
    );
    await channel.close();
    channel = null;

    offset += 2 * HOUR;
    const warned = await t.hub.culler?.cullOnce();
    expect(warned?.filter((a) => a.user === USER)).toEqual([{ user: USER, server: '', reason: 'idle', kind: 'warn', removed: false }]);
    offset += 5 * 60_000;
    const culled = await t.hub.culler?.cullOnce();
    expect(culled?.filter((a) => a.user === USER)).toEqual([{ user: USER, server: '', reason: 'idle', kind: 'stop', removed: false }]);
    const stopped = await serverModel(t, USER, { includeStopped: true });
    expect(stopped?.stop_reason).toBe('idle');
  });
});
