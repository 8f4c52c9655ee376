import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openStore } from '../src/store/open';
import type { Store, UsageInput } from '../src/store/store';
import { Ledger } from '../src/services/ledger';
import { reportCsv } from '../src/services/ledger-report';

/**
 * The seed's example monthly report (issue 8): CPU 25 h → 2.5 CU at 0.1, GPU single 40 h → 320 CU
 * at 8, GPU dual 10 h → 160 CU at 16, total 482.5 CU (× €0.50 = €241.25), reproduced exactly
 * from a ledger fixture in a real store, with sessions split across days and the month's edges.
 */
const HOUR = 3_600_000;
const at = (iso: string): Date => new Date(iso);
const plus = (date: Date, hours: number): Date => new Date(date.getTime() + hours * HOUR);

function row(started: Date, hours: number, profile: string, price: number, overrides: Partial<UsageInput> = {}): UsageInput {
  return {
    userId: 1,
    userName: 'alice',
    serverId: null,
    serverName: '',
    groupName: 'cpsHPCAccess',
    profile,
    pricePerHour: price,
    started,
    ended: plus(started, hours),
    endReason: 'user',
    ...overrides,
  };
}

describe('the ledger report', () => {
  let store: Store;
  let now = at('2026-12-01T12:00:00Z');
  const ledger = (): Ledger => new Ledger({ store, clock: () => now.getTime() });

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
    now = at('2026-12-01T12:00:00Z');
    const fixture: UsageInput[] = [
      // CPU 25 h: 10 + 10 + 5 (the last one runs 10 h from October 31, 19:00: 5 of them in November).
      row(at('2026-11-02T08:00:00Z'), 10, 'cpu', 0.1),
      row(at('2026-11-03T08:00:00Z'), 10, 'cpu', 0.1),
      row(at('2026-10-31T19:00:00Z'), 10, 'cpu', 0.1),
      row(at('2026-10-31T20:00:00Z'), 1, 'cpu', 0.1),
      // GPU single 40 h: 4 sessions of 10 h.
      ...[5, 6, 9, 10].map((day) => row(at(`2026-11-${String(day).padStart(2, '0')}T07:30:00Z`), 10, 'gpu-single', 8)),
      // GPU dual 10 h: 8 h, and 2 h of one that runs into December.
      row(at('2026-11-20T09:00:00Z'), 8, 'gpu-dual', 16),
      row(at('2026-11-30T22:00:00Z'), 6, 'gpu-dual', 16),
      // Another user's session, outside the report of alice.
      row(at('2026-11-12T10:00:00Z'), 3, 'cpu', 0.1, { userId: 2, userName: 'bob', groupName: 'cps-students' }),
    ];
    for (const input of fixture) await store.usage.open(input);
  });

  afterEach(async () => {
    await store.close();
  });

  it('reproduces the seed example for November exactly', async () => {
    const report = await ledger().report({ from: at('2026-11-01T00:00:00Z'), to: at('2026-12-01T00:00:00Z'), userId: 1 });
    expect(report.lines).toEqual([
      { user: 'alice', group: 'cpsHPCAccess', profile: 'cpu', pricePerHour: 0.1, hours: 25, cost: 2.5 },
      { user: 'alice', group: 'cpsHPCAccess', profile: 'gpu-dual', pricePerHour: 16, hours: 10, cost: 160 },
      { user: 'alice', group: 'cpsHPCAccess', profile: 'gpu-single', pricePerHour: 8, hours: 40, cost: 320 },
    ]);
    expect(report.totalHours).toBe(75);
    expect(report.totalCost).toBe(482.5);
    expect(Math.round(report.totalCost * 0.5 * 100) / 100).toBe(241.25);
  });

  it('writes the same report as CSV with a total row', async () => {
    const report = await ledger().report({ from: at('2026-11-01T00:00:00Z'), to: at('2026-12-01T00:00:00Z'), userId: 1 });
    expect(reportCsv(report)).toBe(
      [
        'user,group,profile,price_per_hour,hours,cost',
        'alice,cpsHPCAccess,cpu,0.1,25,2.5',
        'alice,cpsHPCAccess,gpu-dual,16,10,160',
        'alice,cpsHPCAccess,gpu-single,8,40,320',
        'total,,,,75,482.5',
        '',
      ].join('\r\n'),
    );
  });

  it('reports everyone when no user is given, and counts a running session up to now', async () => {
    await store.usage.open(row(at('2026-12-01T10:30:00Z'), 0, 'gpu-single', 8, { ended: null, serverId: 5 }));
    const december = { from: at('2026-12-01T00:00:00Z'), to: at('2027-01-01T00:00:00Z') };
    const report = await ledger().report(december);
    expect(report.lines.map((l) => [l.user, l.profile, l.hours, l.cost])).toEqual([
      ['alice', 'gpu-dual', 4, 64],
      ['alice', 'gpu-single', 1.5, 12],
    ]);
    now = plus(now, 2);
    expect((await ledger().report(december)).totalCost).toBe(64 + 3.5 * 8);
    const november = await ledger().report({ from: at('2026-11-01T00:00:00Z'), to: at('2026-12-01T00:00:00Z') });
    expect(november.lines.map((l) => l.user)).toEqual(['alice', 'alice', 'alice', 'bob']);
    expect(november.totalCost).toBe(482.8);
  });

  it('quotes CSV cells that need it and defuses spreadsheet formulas', async () => {
    await store.usage.open(row(at('2026-11-15T00:00:00Z'), 1, 'cpu', 0.1, { userId: 3, userName: 'carol', groupName: '=cmd,"x"' }));
    const report = await ledger().report({ from: at('2026-11-15T00:00:00Z'), to: at('2026-11-16T00:00:00Z'), userId: 3 });
    expect(reportCsv(report).split('\r\n')[1]).toBe('carol,"\'=cmd,""x""",cpu,0.1,1,0.1');
  });
});
