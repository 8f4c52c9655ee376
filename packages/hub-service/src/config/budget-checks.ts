import { nameProblem, type HubConfig } from '@clusterhub/shared';

/**
 * Rules of `budgets` the schema cannot express: the keys of `budgets.users` and `budgets.groups`
 * must be valid user and group names (the hub's one naming rule). One `config error at <path>`
 * line per problem.
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
  return problems;
}
