import { describe, expect, it } from '@jest/globals';
import { resolveTerms } from '../config/budget-checks';
import { gapMessage, lookupPeriod, periodName, periodOf, previousPeriod, type BudgetPeriodSpec } from './budget-periods';

const at = (iso: string): Date => new Date(iso);
const span = (spec: BudgetPeriodSpec, iso: string): [string, string, string | null] | null => {
  const p = periodOf(spec, at(iso));
  return p && [p.start.toISOString(), p.end.toISOString(), p.term];
};
const MONTH: BudgetPeriodSpec = { period: 'month', terms: [] };
const QUARTER: BudgetPeriodSpec = { period: 'quarter', terms: [] };
const YEAR: BudgetPeriodSpec = { period: 'year', terms: [] };
/** WS2026 runs until SS2027 starts; SS2027 ends on its last day; WS2027 follows after a gap. */
const TERMS: BudgetPeriodSpec = {
  period: 'terms',
  terms: resolveTerms([
    { name: 'WS2026', start: '2026-10-01' },
    { name: 'SS2027', start: '2027-04-01', end: '2027-09-15' },
    { name: 'WS2027', start: '2027-10-01', end: '2028-03-31' },
  ]),
};

describe('budget periods', () => {
  it('months are calendar months in UTC, whatever the local zone', () => {
    expect(span(MONTH, '2026-11-30T23:59:59.999Z')).toEqual(['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', null]);
    expect(span(MONTH, '2026-12-01T00:00:00.000Z')).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', null]);
    // 00:30 on 1 December in UTC+1 is still November in UTC.
    expect(span(MONTH, '2026-12-01T00:30:00+01:00')).toEqual(['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', null]);
    expect(span(MONTH, '2028-02-29T12:00:00Z')).toEqual(['2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z', null]);
  });

  it('quarters start in January, April, July and October', () => {
    expect(span(QUARTER, '2026-01-01T00:00:00Z')).toEqual(['2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', null]);
    expect(span(QUARTER, '2026-03-31T23:59:59.999Z')).toEqual(['2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z', null]);
    expect(span(QUARTER, '2026-08-15T10:00:00Z')).toEqual(['2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', null]);
    expect(span(QUARTER, '2026-12-31T23:59:59.999Z')).toEqual(['2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', null]);
  });

  it('years are calendar years in UTC, leap years included', () => {
    expect(span(YEAR, '2028-12-31T23:59:59.999Z')).toEqual(['2028-01-01T00:00:00.000Z', '2029-01-01T00:00:00.000Z', null]);
    expect(span(YEAR, '2029-01-01T00:00:00.000Z')).toEqual(['2029-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z', null]);
  });

  it('the previous month, quarter and year', () => {
    const prev = (spec: BudgetPeriodSpec, iso: string): string | undefined => {
      const p = periodOf(spec, at(iso));
      return p ? previousPeriod(spec, p)?.start.toISOString() : undefined;
    };
    expect(prev(MONTH, '2027-01-15T00:00:00Z')).toBe('2026-12-01T00:00:00.000Z');
    expect(prev(MONTH, '2028-03-01T00:00:00Z')).toBe('2028-02-01T00:00:00.000Z');
    expect(prev(QUARTER, '2027-02-01T00:00:00Z')).toBe('2026-10-01T00:00:00.000Z');
    expect(prev(YEAR, '2027-06-01T00:00:00Z')).toBe('2026-01-01T00:00:00.000Z');
  });

  it('a term runs from its first day to the end of its last day, or until the next term starts', () => {
    expect(span(TERMS, '2026-10-01T00:00:00Z')).toEqual(['2026-10-01T00:00:00.000Z', '2027-04-01T00:00:00.000Z', 'WS2026']);
    expect(span(TERMS, '2027-03-31T23:59:59.999Z')?.[2]).toBe('WS2026');
    expect(span(TERMS, '2027-04-01T00:00:00Z')).toEqual(['2027-04-01T00:00:00.000Z', '2027-09-16T00:00:00.000Z', 'SS2027']);
    expect(span(TERMS, '2027-09-15T23:59:59.999Z')?.[2]).toBe('SS2027');
    // The last day of February in a leap year is in the term that ends on it.
    expect(span(TERMS, '2028-02-29T23:00:00Z')?.[2]).toBe('WS2027');
    expect(span(TERMS, '2028-03-31T23:59:59.999Z')?.[2]).toBe('WS2027');
  });

  it('between terms, before the first and after the last no period is open; the gap names the terms around it', () => {
    const between = lookupPeriod(TERMS, at('2027-09-16T00:00:00Z'));
    expect(between.period).toBeNull();
    expect([between.gap?.previous?.term, between.gap?.next?.term]).toEqual(['SS2027', 'WS2027']);
    if (between.gap) expect(gapMessage(between.gap)).toBe('No budget term is open: SS2027 ended on 2027-09-15 and WS2027 begins on 2027-10-01.');
    const before = lookupPeriod(TERMS, at('2026-09-30T23:59:59.999Z'));
    expect([before.period, before.gap?.previous, before.gap?.next?.term]).toEqual([null, null, 'WS2026']);
    if (before.gap) expect(gapMessage(before.gap)).toBe('No budget term is open: the first term, WS2026, begins on 2026-10-01.');
    const after = lookupPeriod(TERMS, at('2028-04-01T00:00:00Z'));
    expect([after.period, after.gap?.previous?.term, after.gap?.next]).toEqual([null, 'WS2027', null]);
    if (after.gap) expect(gapMessage(after.gap)).toBe('No budget term is open: WS2027 ended on 2028-03-31 and no later term is configured.');
  });

  it('the term before a term is the previous one in the list, across a gap; the first has none', () => {
    const ws2027 = periodOf(TERMS, at('2027-11-01T00:00:00Z'));
    const ws2026 = periodOf(TERMS, at('2026-11-01T00:00:00Z'));
    expect(ws2027 && previousPeriod(TERMS, ws2027)?.term).toBe('SS2027');
    expect(ws2026 && previousPeriod(TERMS, ws2026)).toBeNull();
  });

  it('names periods in messages', () => {
    expect(periodName(periodOf(MONTH, at('2026-11-01T00:00:00Z')), 'month')).toBe('month');
    expect(periodName(periodOf(QUARTER, at('2026-11-01T00:00:00Z')), 'quarter')).toBe('quarter');
    expect(periodName(periodOf(TERMS, at('2026-11-01T00:00:00Z')), 'terms')).toBe('term (WS2026)');
  });
});
