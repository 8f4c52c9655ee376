/**
 * Budget periods (docs/budgets.md): the calendar month, quarter or year in UTC, or the
 * admin-defined terms of `budgets.terms`. Pure functions of the resolved config and a time; the
 * {@link BudgetService} asks them which period is open now and which one came before it.
 */
import type { ResolvedBudgetsConfig } from '../config/types';

/** A budget period: `[start, end)`; `term` names it when it is one of `budgets.terms`. */
export interface BudgetPeriod {
  readonly start: Date;
  readonly end: Date;
  /** The term's name (`period: terms`); null for calendar periods. */
  readonly term: string | null;
}

/** Between terms (or before the first, after the last): no budget period is open. */
export interface BudgetGap {
  /** The term that ended last, or null before the first term. */
  readonly previous: BudgetPeriod | null;
  /** The term that starts next, or null after the last term. */
  readonly next: BudgetPeriod | null;
}

/** What a time falls in: a budget period, or a gap between terms. */
export type PeriodLookup = { readonly period: BudgetPeriod; readonly gap: null } | { readonly period: null; readonly gap: BudgetGap };

/** What the period functions need of `budgets`. */
export type BudgetPeriodSpec = Pick<ResolvedBudgetsConfig, 'period' | 'terms'>;

/** The period or gap that contains `now`. */
export function lookupPeriod(spec: BudgetPeriodSpec, now: Date): PeriodLookup {
  if (spec.period !== 'terms') return { period: calendarPeriod(spec.period, now), gap: null };
  const t = now.getTime();
  const terms = spec.terms.map(termPeriod);
  const open = terms.find((p) => p.start.getTime() <= t && t < p.end.getTime());
  if (open) return { period: open, gap: null };
  const previous = terms.filter((p) => p.end.getTime() <= t).pop() ?? null;
  const next = terms.find((p) => p.start.getTime() > t) ?? null;
  return { period: null, gap: { previous, next } };
}

/** The budget period that contains `now`, or null between terms. */
export function periodOf(spec: BudgetPeriodSpec, now: Date): BudgetPeriod | null {
  return lookupPeriod(spec, now).period;
}

/** The period before `period` (the previous month, quarter, year or term), or null before the first term. */
export function previousPeriod(spec: BudgetPeriodSpec, period: BudgetPeriod): BudgetPeriod | null {
  if (spec.period !== 'terms') return calendarPeriod(spec.period, new Date(period.start.getTime() - 1));
  const index = spec.terms.findIndex((t) => t.start.getTime() === period.start.getTime());
  const before = index > 0 ? spec.terms[index - 1] : undefined;
  return before ? termPeriod(before) : null;
}

/** The word for one period in messages: `month`, `quarter`, `year` or `term`. */
export function periodWord(period: ResolvedBudgetsConfig['period']): string {
  return period === 'terms' ? 'term' : period;
}

/** "month", "quarter", "year", or "term (WS2026)": the period in messages. */
export function periodName(period: BudgetPeriod | null, kind: ResolvedBudgetsConfig['period']): string {
  return period?.term ? `term (${period.term})` : periodWord(kind);
}

/** "this month", "this quarter", "this year", or "this term (WS2026)". */
export function thisPeriod(period: BudgetPeriod | null, kind: ResolvedBudgetsConfig['period']): string {
  return `this ${periodName(period, kind)}`;
}

/**
 * Says why no budget period is open, e.g. "No budget term is open: WS2026 ended on 2027-03-31
 * and SS2027 begins on 2027-04-01."
 */
export function gapMessage(gap: BudgetGap): string {
  const ended = gap.previous ? `${gap.previous.term ?? ''} ended on ${lastDay(gap.previous)}` : null;
  const begins = gap.next ? `${gap.next.term ?? ''} begins on ${day(gap.next.start)}` : null;
  if (ended && begins) return `No budget term is open: ${ended} and ${begins}.`;
  if (ended) return `No budget term is open: ${ended} and no later term is configured.`;
  if (gap.next) return `No budget term is open: the first term, ${gap.next.term ?? ''}, begins on ${day(gap.next.start)}.`;
  return 'No budget term is open.';
}

/** The date (YYYY-MM-DD, UTC) of a time. */
export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The last day of a period (the day before its end). */
export function lastDay(period: BudgetPeriod): string {
  return day(new Date(period.end.getTime() - 86_400_000));
}

function termPeriod(term: ResolvedBudgetsConfig['terms'][number]): BudgetPeriod {
  return { start: term.start, end: term.end, term: term.name };
}

function calendarPeriod(kind: Exclude<ResolvedBudgetsConfig['period'], 'terms'>, now: Date): BudgetPeriod {
  const year = now.getUTCFullYear();
  if (kind === 'year') return { start: utc(year, 0), end: utc(year + 1, 0), term: null };
  const months = kind === 'quarter' ? 3 : 1;
  const first = Math.floor(now.getUTCMonth() / months) * months;
  return { start: utc(year, first), end: utc(year, first + months), term: null };
}

/** The first of a month at midnight UTC (months past 11 roll into the next year). */
function utc(year: number, month: number): Date {
  const date = new Date(Date.UTC(2000, 0, 1));
  // setUTCFullYear keeps years 0..99 as given (Date.UTC would read them as 1900..1999).
  date.setUTCFullYear(year, month, 1);
  return date;
}
