import { describe, expect, it } from '@jest/globals';
import type { BudgetState } from './budget';
import { decideExhausted, usedUp } from './budget-exhaustion';

const user = (spent: number): BudgetState => ({ kind: 'user', name: 'alice', amount: 10, carriedOver: 0, spent, remaining: 10 - spent });
const group = (spent: number): BudgetState => ({ kind: 'group', name: 'cps', amount: 20, carriedOver: 0, spent, remaining: 20 - spent });
const STOP = { action: 'stop', graceSeconds: 600 } as const;

describe('the 100 % action', () => {
  it('finds the fullest used-up budget', () => {
    expect(usedUp([user(9.99), group(19)])).toBeNull();
    expect(usedUp([user(10), group(25)])).toEqual(group(25));
    expect(usedUp([{ kind: 'user', name: 'bob', amount: 0, carriedOver: 0, spent: 0, remaining: 0 }])?.name).toBe('bob');
  });

  it('does nothing with the action none, and takes a left-over warning back', () => {
    expect(decideExhausted({ action: 'none', graceSeconds: 600 }, [user(12)], null, 0)).toEqual({ kind: 'none' });
    expect(decideExhausted({ action: 'none', graceSeconds: 600 }, [user(12)], { actionAt: 5 }, 0)).toEqual({ kind: 'clear' });
  });

  it('warns at 100 % with the action after the grace period', () => {
    expect(decideExhausted(STOP, [user(9.9)], null, 1000)).toEqual({ kind: 'none' });
    expect(decideExhausted(STOP, [user(10)], null, 1000)).toEqual({ kind: 'warn', budget: user(10), actionAt: 601_000 });
  });

  it('acts when the warning falls due, not before', () => {
    expect(decideExhausted(STOP, [user(10.5)], { actionAt: 601_000 }, 600_999)).toEqual({ kind: 'none' });
    expect(decideExhausted({ action: 'downshift', graceSeconds: 0 }, [user(10.5)], { actionAt: 601_000 }, 601_000)).toEqual({ kind: 'act', budget: user(10.5) });
  });

  it('takes the warning back when the budget is no longer used up (a new period, more units)', () => {
    expect(decideExhausted(STOP, [user(0.2)], { actionAt: 601_000 }, 700_000)).toEqual({ kind: 'clear' });
  });
});
