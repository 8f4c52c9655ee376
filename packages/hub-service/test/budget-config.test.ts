/**
 * The `budgets` config section (issue 8): defaults, a valid seed-style example, periods (calendar
 * and terms) and carry-over, and bad budgets, periods, terms and names refused at load with the
 * key named.
 */
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../src/config/load';
import { useConfigSandbox } from '../src/config/testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-budget-config-');
const { load, problemsOf } = sandbox;

describe('budgets config', () => {
  it('has no budgets by default', () => {
    expect(loadConfig(null, { env: {}, cwd: sandbox.dir }).budgets).toEqual({ period: 'month', terms: [], carryOver: { enabled: false, maxPercent: 100 }, defaultUser: null, users: {}, groups: {}, warnAtPercent: [80, 95], onExhausted: { action: 'none', downshiftTo: null, graceSeconds: 600 } });
    expect(load('budgets:\n').budgets).toEqual({ period: 'month', terms: [], carryOver: { enabled: false, maxPercent: 100 }, defaultUser: null, users: {}, groups: {}, warnAtPercent: [80, 95], onExhausted: { action: 'none', downshiftTo: null, graceSeconds: 600 } });
  });

  it('reads per-user, default and per-group budgets', () => {
    const config = load('budgets: { period: month, defaultUser: 100, users: { alice: 500 }, groups: { cpsHPCAccess: 2000, cps-students: 0.5 } }\n');
    expect(config.budgets).toEqual({ period: 'month', terms: [], carryOver: { enabled: false, maxPercent: 100 }, defaultUser: 100, users: { alice: 500 }, groups: { cpsHPCAccess: 2000, 'cps-students': 0.5 }, warnAtPercent: [80, 95], onExhausted: { action: 'none', downshiftTo: null, graceSeconds: 600 } });
  });

  it.each([
    ['a negative amount', 'budgets: { defaultUser: -1 }', 'budgets.defaultUser'],
    ['a non-numeric amount', 'budgets: { users: { alice: lots } }', 'budgets.users.alice'],
    ['a huge amount', 'budgets: { groups: { staff: 1e12 } }', 'budgets.groups.staff'],
    ['an unknown period', 'budgets: { period: week }', 'budgets.period'],
    ['an unknown key', 'budgets: { rollover: true }', 'budgets'],
    ['carry-over as a bare boolean', 'budgets: { carryOver: true }', 'budgets.carryOver'],
    ['a carry-over cap above 100 %', 'budgets: { carryOver: { enabled: true, maxPercent: 150 } }', 'budgets.carryOver.maxPercent'],
    ['a carry-over cap of 0', 'budgets: { carryOver: { enabled: true, maxPercent: 0 } }', 'budgets.carryOver.maxPercent'],
    ['a carry-over cap without enabled', 'budgets: { carryOver: { maxPercent: 50 } }', 'budgets.carryOver.maxPercent'],
    ['an unknown key in carryOver', 'budgets: { carryOver: { enabled: true, max: 5 } }', 'budgets.carryOver'],
    ['terms without period terms', 'budgets: { terms: [{ name: WS, start: 2026-10-01, end: 2027-03-31 }] }', 'budgets.terms'],
    ['period terms without terms', 'budgets: { period: terms }', 'budgets.terms'],
    ['an empty list of terms', 'budgets: { period: terms, terms: [] }', 'budgets.terms'],
    ['a term without a start', 'budgets: { period: terms, terms: [{ name: WS, end: 2027-03-31 }] }', 'budgets.terms[0]'],
    ['a term without a name', 'budgets: { period: terms, terms: [{ name: "", start: 2026-10-01, end: 2027-03-31 }] }', 'budgets.terms[0].name'],
    ['a date that does not exist', 'budgets: { period: terms, terms: [{ name: WS, start: 2027-02-29, end: 2027-03-31 }] }', 'budgets.terms[0].start'],
    ['a date with a time', 'budgets: { period: terms, terms: [{ name: WS, start: "2026-10-01T00:00:00Z", end: 2027-03-31 }] }', 'budgets.terms[0].start'],
    ['a term that ends before it starts', 'budgets: { period: terms, terms: [{ name: WS, start: 2026-10-01, end: 2026-09-30 }] }', 'budgets.terms[0].end'],
    ['terms out of order', 'budgets: { period: terms, terms: [{ name: SS, start: 2027-04-01 }, { name: WS, start: 2026-10-01, end: 2027-03-31 }] }', 'budgets.terms[1].start'],
    ['overlapping terms', 'budgets: { period: terms, terms: [{ name: WS, start: 2026-10-01, end: 2027-04-01 }, { name: SS, start: 2027-04-01, end: 2027-09-30 }] }', 'budgets.terms[1].start'],
    ['two terms of one name', 'budgets: { period: terms, terms: [{ name: WS, start: 2026-10-01 }, { name: WS, start: 2027-04-01, end: 2027-09-30 }] }', 'budgets.terms[1].name'],
    ['a last term without an end', 'budgets: { period: terms, terms: [{ name: WS, start: 2026-10-01 }, { name: SS, start: 2027-04-01 }] }', 'budgets.terms[1].end'],
    ['an unknown key in a term', 'budgets: { period: terms, terms: [{ name: WS, start: 2026-10-01, end: 2027-03-31, budget: 5 }] }', 'budgets.terms[0]'],
    ['a list instead of a map', 'budgets: { users: [alice] }', 'budgets.users'],
    ['an invalid user name', 'budgets: { users: { "ali/ce": 5 } }', 'budgets.users.ali/ce'],
    ['an invalid group name', 'budgets: { groups: { "a/b": 5 } }', 'budgets.groups.a/b'],
    ['a threshold of 100', 'budgets: { warnAtPercent: [80, 100] }\nculler: { enabled: true }', 'budgets.warnAtPercent[1]'],
    ['a threshold of 0', 'budgets: { warnAtPercent: [0] }\nculler: { enabled: true }', 'budgets.warnAtPercent[0]'],
    ['a fractional threshold', 'budgets: { warnAtPercent: [80.5] }\nculler: { enabled: true }', 'budgets.warnAtPercent[0]'],
    ['thresholds out of order', 'budgets: { warnAtPercent: [95, 80] }\nculler: { enabled: true }', 'budgets.warnAtPercent[1]'],
    ['a repeated threshold', 'budgets: { warnAtPercent: [80, 80] }\nculler: { enabled: true }', 'budgets.warnAtPercent[1]'],
    ['a threshold that is not a number', 'budgets: { warnAtPercent: [eighty] }\nculler: { enabled: true }', 'budgets.warnAtPercent[0]'],
    ['thresholds without the culler', 'budgets: { warnAtPercent: [50] }', 'budgets.warnAtPercent'],
    ['an unknown 100 % action', 'budgets: { onExhausted: { action: pause } }\nculler: { enabled: true }', 'budgets.onExhausted.action'],
    ['a negative grace period', 'budgets: { onExhausted: { action: stop, graceSeconds: -1 } }\nculler: { enabled: true }', 'budgets.onExhausted.graceSeconds'],
    ['an unknown key in onExhausted', 'budgets: { onExhausted: { action: stop, after: 5 } }\nculler: { enabled: true }', 'budgets.onExhausted'],
    ['the stop action without the culler', 'budgets: { warnAtPercent: [], onExhausted: { action: stop } }', 'budgets.onExhausted.action'],
    ['downshift without a target', 'budgets: { onExhausted: { action: downshift } }\nculler: { enabled: true }\nprofiles: [{ slug: cpu, displayName: CPU, kind: cpu, default: true, pricePerHour: 0.1 }, { slug: gpu, displayName: Big, kind: cpu, pricePerHour: 8 }]', 'budgets.onExhausted.downshiftTo'],
    ['downshift to an unknown profile', 'budgets: { onExhausted: { action: downshift, downshiftTo: tiny } }\nculler: { enabled: true }\nprofiles: [{ slug: cpu, displayName: CPU, kind: cpu, default: true, pricePerHour: 0.1 }, { slug: gpu, displayName: Big, kind: cpu, pricePerHour: 8 }]', 'budgets.onExhausted.downshiftTo'],
    ['downshift to the most expensive profile', 'budgets: { onExhausted: { action: downshift, downshiftTo: gpu } }\nculler: { enabled: true }\nprofiles: [{ slug: cpu, displayName: CPU, kind: cpu, default: true, pricePerHour: 0.1 }, { slug: gpu, displayName: Big, kind: cpu, pricePerHour: 8 }]', 'budgets.onExhausted.downshiftTo'],
    ['a target with the action stop', 'budgets: { onExhausted: { action: stop, downshiftTo: cpu } }\nculler: { enabled: true }\nprofiles: [{ slug: cpu, displayName: CPU, kind: cpu, default: true, pricePerHour: 0.1 }, { slug: gpu, displayName: Big, kind: cpu, pricePerHour: 8 }]', 'budgets.onExhausted.downshiftTo'],
  ])('refuses %s naming the key', (_what, yaml, key) => {
    const problems = problemsOf(`${yaml}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`config error at ${key}`);
  });

  it('reads calendar periods, terms and carry-over', () => {
    expect(load('budgets: { period: quarter }\n').budgets.period).toBe('quarter');
    expect(load('budgets: { period: year, carryOver: { enabled: true } }\n').budgets).toMatchObject({ period: 'year', terms: [], carryOver: { enabled: true, maxPercent: 100 } });
    expect(load('budgets: { carryOver: { enabled: true, maxPercent: 25 } }\n').budgets.carryOver).toEqual({ enabled: true, maxPercent: 25 });
    const terms = load('budgets:\n  period: terms\n  terms:\n    - { name: WS2026, start: 2026-10-01 }\n    - { name: SS2027, start: 2027-04-01, end: 2027-09-30 }\n').budgets.terms;
    // Each term ends where the next begins, or at the end of its last day (exclusive end).
    expect(terms).toEqual([
      { name: 'WS2026', start: new Date('2026-10-01T00:00:00Z'), end: new Date('2027-04-01T00:00:00Z') },
      { name: 'SS2027', start: new Date('2027-04-01T00:00:00Z'), end: new Date('2027-10-01T00:00:00Z') },
    ]);
  });

  it('names every problem of a list of terms, the config unchanged', () => {
    const problems = problemsOf('budgets: { period: terms, terms: [{ name: A, start: 2027-01-01, end: 2026-12-01 }, { name: A, start: 2026-06-01 }] }\n');
    expect(problems).toEqual([
      'config error at budgets.terms[0].end: 2026-12-01 is before the term\'s start 2027-01-01',
      'config error at budgets.terms[1].name: the name "A" is also the name of budgets.terms[0]',
      'config error at budgets.terms[1].start: terms must be in order: 2026-06-01 is not after the start of budgets.terms[0] (A, 2027-01-01)',
      'config error at budgets.terms[1].end: required for the last term (without it the term would never end)',
    ]);
  });

  it('reads the 100 % action', () => {
    expect(load('budgets: { onExhausted: { action: downshift, downshiftTo: cpu, graceSeconds: 60 } }\nculler: { enabled: true }\nprofiles: [{ slug: cpu, displayName: CPU, kind: cpu, default: true, pricePerHour: 0.1 }, { slug: gpu, displayName: Big, kind: cpu, pricePerHour: 8 }]\n').budgets.onExhausted).toEqual({ action: 'downshift', downshiftTo: 'cpu', graceSeconds: 60 });
    expect(load('budgets: { onExhausted: { action: stop } }\nculler: { enabled: true }\n').budgets.onExhausted).toEqual({ action: 'stop', downshiftTo: null, graceSeconds: 600 });
  });

  it('reads thresholds when the culler runs', () => {
    expect(load('budgets: { warnAtPercent: [50, 90] }\nculler: { enabled: true }\n').budgets.warnAtPercent).toEqual([50, 90]);
    expect(load('budgets: { warnAtPercent: [] }\n').budgets.warnAtPercent).toEqual([]);
  });
});
