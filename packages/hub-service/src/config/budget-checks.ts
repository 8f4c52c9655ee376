import { nameProblem, type HubConfig } from '@clusterhub/shared';

/** `budgets.warnAtPercent` when unset (used only when the culler runs). */
export const DEFAULT_BUDGET_WARN_AT_PERCENT: readonly number[] = [80, 95];

/**
 * Rules of `budgets` the schema cannot express: the keys of `budgets.users` and `budgets.groups`
 * must be valid user and group names (the hub's one naming rule); `budgets.warnAtPercent` must be
 * strictly ascending and, when set, needs `culler.enabled` (its passes check the thresholds). One
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
  return problems;
}
