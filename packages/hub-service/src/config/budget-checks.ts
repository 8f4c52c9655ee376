import { nameProblem, type HubConfig } from '@clusterhub/shared';
import type { ResolvedOnExhausted } from './types';

/** `budgets.warnAtPercent` when unset (used only when the culler runs). */
export const DEFAULT_BUDGET_WARN_AT_PERCENT: readonly number[] = [80, 95];

/**
 * Rules of `budgets` the schema cannot express: the keys of `budgets.users` and `budgets.groups`
 * must be valid user and group names (the hub's one naming rule); `budgets.warnAtPercent` must be
 * strictly ascending and, when set, needs `culler.enabled` (its passes check the thresholds);
 * `budgets.onExhausted` with an action needs `culler.enabled`, and `downshiftTo` must name a profile
 * priced lower than another one, exactly when the action is `downshift`. One
 * `config error at <path>` line per problem.
 */
export function budgetProblems(doc: HubConfig): string[] {
  const budgets = doc.budgets ?? {};
  const problems: string[] = [];
  const check = (section: 'users' | 'groups', names: readonly string[]): void => {
    for (const name of names) {
      const problem = nameProblem(name);
      if (problem) problems.push(`config error at budgets.${section}.${name}: the ${section === 'users' ? 'user' : 'group'} name ${JSON.stringify(name)} ${problem}`);
    }
  };
  check('users', Object.keys(budgets.users ?? {}));
  check('groups', Object.keys(budgets.groups ?? {}));
  const thresholds = budgets.warnAtPercent;
  if (thresholds !== undefined) {
    const i = thresholds.findIndex((value, k) => k > 0 && value <= (thresholds[k - 1] ?? 0));
    if (i > 0) problems.push(`config error at budgets.warnAtPercent[${i}]: the thresholds must be strictly ascending (${thresholds[i - 1] ?? ''} then ${thresholds[i] ?? ''})`);
    if (thresholds.length > 0 && doc.culler?.enabled !== true) {
      problems.push('config error at budgets.warnAtPercent: budget warnings are given on the built-in culler\'s passes; set culler.enabled: true (or leave warnAtPercent unset)');
    }
  }
  problems.push(...onExhaustedProblems(doc));
  return problems;
}

function onExhaustedProblems(doc: HubConfig): string[] {
  const rule = resolveOnExhausted(doc.budgets?.onExhausted);
  const given = doc.budgets?.onExhausted?.downshiftTo;
  const at = 'config error at budgets.onExhausted';
  if (rule.action === 'none') return given === undefined ? [] : [`${at}.downshiftTo: only allowed when action is downshift (it is none)`];
  const problems: string[] = [];
  if (doc.culler?.enabled !== true) problems.push(`${at}.action: ${rule.action} is done on the built-in culler's passes; set culler.enabled: true`);
  if (rule.action === 'stop') {
    if (given !== undefined) problems.push(`${at}.downshiftTo: only allowed when action is downshift (it is stop)`);
    return problems;
  }
  const profiles = doc.profiles ?? [];
  const target = profiles.find((p) => p.slug === given);
  if (given === undefined) problems.push(`${at}.downshiftTo: required when action is downshift`);
  else if (!target) problems.push(`${at}.downshiftTo: no profile has the slug ${JSON.stringify(given)}`);
  else if (!profiles.some((p) => (p.pricePerHour ?? 0) > (target.pricePerHour ?? 0))) {
    problems.push(`${at}.downshiftTo: profile ${given} (${target.pricePerHour ?? 0} CU per hour) must be priced lower than another profile`);
  }
  return problems;
}

/** `budgets.onExhausted` with its defaults (none, 600 seconds of grace). */
export function resolveOnExhausted(section: NonNullable<HubConfig['budgets']>['onExhausted']): ResolvedOnExhausted {
  const action = section?.action ?? 'none';
  return { action, downshiftTo: action === 'downshift' ? (section?.downshiftTo ?? null) : null, graceSeconds: section?.graceSeconds ?? 600 };
}
