import { nameProblem, type HubConfig } from '@clusterhub/shared';
import type { ResolvedBudgetTerm, ResolvedBudgetsConfig, ResolvedOnExhausted } from './types';

/** `budgets.warnAtPercent` when unset (used only when the culler runs). */
export const DEFAULT_BUDGET_WARN_AT_PERCENT: readonly number[] = [80, 95];

/**
 * Rules of `budgets` the schema cannot express: the keys of `budgets.users` and `budgets.groups`
 * must be valid user and group names (the hub's one naming rule); `budgets.warnAtPercent` must be
 * strictly ascending and, when set, needs `culler.enabled` (its passes check the thresholds);
 * `budgets.onExhausted` with an action needs `culler.enabled`, and `downshiftTo` must name a profile
 * priced lower than another one, exactly when the action is `downshift`; `budgets.terms` (with
 * `period: terms` only) must be unique, in order, not overlapping, the last one ending;
 * `budgets.carryOver.maxPercent` needs `enabled`. One `config error at <path>` line per problem.
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
  problems.push(...onExhaustedProblems(doc), ...termProblems(doc), ...carryOverProblems(doc));
  return problems;
}

type TermConfig = NonNullable<NonNullable<HubConfig['budgets']>['terms']>[number];

/**
 * `budgets.terms`: needed exactly when the period is `terms`; names unique; each end (its last
 * day) not before its start; in order and not overlapping; the last one with an end. The
 * schema has checked the dates (`format: date`).
 */
function termProblems(doc: HubConfig): string[] {
  const period = doc.budgets?.period ?? 'month';
  const terms = doc.budgets?.terms;
  const at = 'config error at budgets.terms';
  if (terms === undefined) return period === 'terms' ? [`${at}: required when period is terms (a list of {name, start, end})`] : [];
  if (period !== 'terms') return [`${at}: only used when period is terms (it is ${period})`];
  const problems: string[] = [];
  terms.forEach((term, i) => {
    const first = terms.findIndex((t) => t.name === term.name);
    if (first < i) problems.push(`${at}[${i}].name: the name ${JSON.stringify(term.name)} is also the name of budgets.terms[${first}]`);
    if (term.end !== undefined && term.end < term.start) problems.push(`${at}[${i}].end: ${term.end} is before the term's start ${term.start}`);
    const before = i > 0 ? terms[i - 1] : undefined;
    if (before === undefined) return;
    if (term.start <= before.start) problems.push(`${at}[${i}].start: terms must be in order: ${term.start} is not after the start of budgets.terms[${i - 1}] (${before.name}, ${before.start})`);
    else if (before.end !== undefined && term.start <= before.end) problems.push(`${at}[${i}].start: ${term.start} overlaps budgets.terms[${i - 1}] (${before.name}), which ends on ${before.end}`);
  });
  const lastIndex = terms.length - 1;
  if (terms[lastIndex]?.end === undefined) problems.push(`${at}[${lastIndex}].end: required for the last term (without it the term would never end)`);
  return problems;
}

/** `budgets.carryOver.maxPercent` only with `enabled: true`. */
function carryOverProblems(doc: HubConfig): string[] {
  const carry = doc.budgets?.carryOver;
  if (carry?.maxPercent !== undefined && carry.enabled !== true) return ['config error at budgets.carryOver.maxPercent: only used when enabled is true'];
  return [];
}

/** `budgets.terms` resolved (valid: {@link budgetProblems} ran): each from its start to the day after its end, or to the next term's start. */
export function resolveTerms(terms: readonly TermConfig[] | undefined): ResolvedBudgetTerm[] {
  const list = terms ?? [];
  return list.map((term, i) => {
    const next = list[i + 1];
    const end = term.end !== undefined ? new Date(Date.parse(term.end) + 86_400_000) : new Date(Date.parse(next?.start ?? term.start));
    return { name: term.name, start: new Date(Date.parse(term.start)), end };
  });
}

/** `budgets.carryOver` with its defaults (off; 100 %). */
export function resolveCarryOver(section: NonNullable<HubConfig['budgets']>['carryOver']): ResolvedBudgetsConfig['carryOver'] {
  return { enabled: section?.enabled ?? false, maxPercent: section?.maxPercent ?? 100 };
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
