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
    expect(loadConfig(null, { env: {}, cwd: sandbox.dir }).budgets).toEqual({ period: 'month', defaultUser: null, users: {}, groups: {} });
    expect(load('budgets:\n').budgets).toEqual({ period: 'month', defaultUser: null, users: {}, groups: {} });
  });

  it('reads per-user, default and per-group budgets', () => {
    const config = load('budgets: { period: month, defaultUser: 100, users: { alice: 500 }, groups: { cpsHPCAccess: 2000, cps-students: 0.5 } }\n');
    expect(config.budgets).toEqual({ period: 'month', defaultUser: 100, users: { alice: 500 }, groups: { cpsHPCAccess: 2000, 'cps-students': 0.5 } });
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
  ])('refuses %s naming the key', (_what, yaml, key) => {
    const problems = problemsOf(`${yaml}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`config error at ${key}`);
  });
});
