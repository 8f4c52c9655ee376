/**
 * The `budgets` config section (issue 8): defaults, a valid seed-style example, and bad budgets,
 * periods and names refused at load with the key named.
 */
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../src/config/load';
import { useConfigSandbox } from '../src/config/testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-budget-config-');
const { load, problemsOf } = sandbox;

describe('budgets config', () => {
  it('has no budgets by default', () => {
    expect(loadConfig(null, { env: {}, cwd: sandbox.dir }).budgets).toEqual({ period: 'month', defaultUser: null, users: {}, groups: {}, warnAtPercent: [80, 95], onExhausted: { action: 'none', downshiftTo: null, graceSeconds: 600 } });
    expect(load('budgets:\n').budgets).toEqual({ period: 'month', defaultUser: null, users: {}, groups: {}, warnAtPercent: [80, 95], onExhausted: { action: 'none', downshiftTo: null, graceSeconds: 600 } });
  });

  it('reads per-user, default and per-group budgets', () => {
    const config = load('budgets: { period: month, defaultUser: 100, users: { alice: 500 }, groups: { cpsHPCAccess: 2000, cps-students: 0.5 } }\n');
    expect(config.budgets).toEqual({ period: 'month', defaultUser: 100, users: { alice: 500 }, groups: { cpsHPCAccess: 2000, 'cps-students': 0.5 }, warnAtPercent: [80, 95], onExhausted: { action: 'none', downshiftTo: null, graceSeconds: 600 } });
  });

  it.each([
    ['a negative amount', 'budgets: { defaultUser: -1 }', 'budgets.defaultUser'],
    ['a non-numeric amount', 'budgets: { users: { alice: lots } }', 'budgets.users.alice'],
    ['a huge amount', 'budgets: { groups: { staff: 1e12 } }', 'budgets.groups.staff'],
    ['an unknown period', 'budgets: { period: week }', 'budgets.period'],
    ['an unknown key', 'budgets: { carryOver: true }', 'budgets'],
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

  it('reads the 100 % action', () => {
    expect(load('budgets: { onExhausted: { action: downshift, downshiftTo: cpu, graceSeconds: 60 } }\nculler: { enabled: true }\nprofiles: [{ slug: cpu, displayName: CPU, kind: cpu, default: true, pricePerHour: 0.1 }, { slug: gpu, displayName: Big, kind: cpu, pricePerHour: 8 }]\n').budgets.onExhausted).toEqual({ action: 'downshift', downshiftTo: 'cpu', graceSeconds: 60 });
    expect(load('budgets: { onExhausted: { action: stop } }\nculler: { enabled: true }\n').budgets.onExhausted).toEqual({ action: 'stop', downshiftTo: null, graceSeconds: 600 });
  });

  it('reads thresholds when the culler runs', () => {
    expect(load('budgets: { warnAtPercent: [50, 90] }\nculler: { enabled: true }\n').budgets.warnAtPercent).toEqual([50, 90]);
    expect(load('budgets: { warnAtPercent: [] }\n').budgets.warnAtPercent).toEqual([]);
  });
});
