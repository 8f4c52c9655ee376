import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { silentLogger } from '../observability/logger';
import { openStore } from '../store/open';
import type { Store } from '../store/store';
import { AuditLog } from './audit';
import { withAuditActor } from './audit-context';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-02T08:00:00Z');

describe('AuditLog (real SQLite store, controlled clock)', () => {
  let store: Store;
  let now = T0;
  let log: AuditLog;

  beforeEach(async () => {
    now = T0;
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
    log = new AuditLog({ store, clock: () => now, logger: silentLogger(), settings: { retentionDays: 30, file: null } });
  });

  afterEach(async () => {
    await log.stop();
    await store.close().catch(() => undefined);
  });

  it("takes the actor and address from the running request's context, else records the hub itself", async () => {
    await withAuditActor({ kind: 'user', name: 'alice', address: '192.0.2.1' }, () => log.record({ action: 'server.start', user: 'alice', server: '' }));
    await log.record({ action: 'server.stop', user: 'alice', server: '', details: { reason: 'idle' } });
    const { items } = await log.list({ offset: 0, limit: 10 });
    expect(items.map((e) => [e.action, e.actorKind, e.actorName, e.address])).toEqual([
      ['server.stop', 'system', null, null],
      ['server.start', 'user', 'alice', '192.0.2.1'],
    ]);
  });

  it('lets a caller name the actor (a failed login is anonymous) and clips over-long names', async () => {
    await log.record({ action: 'login.failure', user: 'x'.repeat(1000), actor: { kind: 'anonymous', name: null } });
    const [event] = (await log.list({ offset: 0, limit: 1 })).items;
    expect(event?.actorKind).toBe('anonymous');
    expect(event?.targetUser).toHaveLength(255);
  });

  it('prunes events older than retentionDays, at start and on demand', async () => {
    await log.record({ action: 'login.success', user: 'old' });
    now = T0 + 20 * DAY;
    await log.record({ action: 'login.success', user: 'recent' });
    now = T0 + 31 * DAY;
    expect(await log.prune()).toBe(1);
    expect((await log.list({ offset: 0, limit: 10 })).items.map((e) => e.targetUser)).toEqual(['recent']);
    now = T0 + 60 * DAY;
    log.start();
    const remaining = async (): Promise<number> => (await log.list({ offset: 0, limit: 10 })).total;
    for (let i = 0; i < 100 && (await remaining()) > 0; i += 1) await new Promise((r) => setImmediate(r));
    expect(await remaining()).toBe(0);
  });

  it('never throws when the event cannot be stored (the action it describes goes on)', async () => {
    await store.close();
    await expect(log.record({ action: 'logout', user: 'alice' })).resolves.toBeUndefined();
  });
});
