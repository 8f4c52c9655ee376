/**
 * The wire models of clusterhub's audit and budget endpoints under `/hub/api/clusterhub/`
 * (docs/audit.md, docs/budgets.md), as the hub answers them, for the Lab's budget and admin
 * panels. Amounts are compute units (CU) rounded to 6 decimals; times are ISO-8601 strings.
 */

/** Who did it: a user, a service (its API token), the hub itself, or nobody known (a failed login). */
export type AuditActorKindModel = 'user' | 'service' | 'system' | 'anonymous';

/** One audit event, as `GET …/clusterhub/audit` lists it and the JSON-lines file holds it. */
export interface AuditEventModel {
  id: number;
  /** When it was recorded (the hub's clock). */
  at: string;
  /** The caller; `name` is null for the hub itself and for anonymous callers. */
  actor: { kind: AuditActorKindModel; name: string | null };
  /** Dotted, lowercase: `login.success`, `server.stop`, `budget.top-up`… */
  action: string;
  /** The user the event is about (as named then), or null. */
  user: string | null;
  /** The server the event is about (`""`: the default server), or null. */
  server: string | null;
  /** The client's address for events caused by a request, else null. */
  address: string | null;
  /** Event-specific fields; `{}` when none. */
  details: Record<string, unknown>;
}

/** The answer of `GET …/clusterhub/audit`: one page of events, newest first. */
export interface AuditPageModel {
  items: AuditEventModel[];
  /** How many events matched in all. */
  total: number;
  offset: number;
  limit: number;
}

/** Whose budget: a user's own or a group's. */
export type BudgetScopeModel = 'user' | 'group';

/** One budget's state in the current period. */
export interface BudgetStateModel {
  kind: BudgetScopeModel;
  /** The user or group name. */
  name: string;
  /** The amount that applies (with an admin's override, top-ups and what was carried over). */
  amount: number;
  /** Units carried over from the previous period (`budgets.carryOver`; 0 when off), included in amount. */
  carried_over: number;
  spent: number;
  /** amount − spent (negative when overspent). */
  remaining: number;
}

/** A budget period: `[start, end)`, named when it is one of `budgets.terms`. */
export interface BudgetPeriodModel {
  /** The kind of period: `month`, `quarter`, `year` or `terms`. */
  period: string;
  /** The term's name (`terms`), else null. */
  term: string | null;
  start: string;
  end: string;
}

/** Between budget terms: no period is open (starts a budget limits are refused with `no_budget_term`). */
export interface BudgetGapModel {
  /** The term that ended last, or null before the first. */
  previous_term: string | null;
  /** The term that begins next, or null after the last. */
  next_term: string | null;
  /** Says so in plain words, naming both terms and their dates. */
  message: string;
}

/** The answer of `GET …/clusterhub/budgets/{user}`: the user's budgets this period. */
export interface UserBudgetsModel {
  user: string;
  /** The kind of budget period (`month`, `quarter`, `year`, `terms`). */
  period: string;
  /** The current term's name (`terms`), else null. */
  term: string | null;
  /** The period's start; between terms the end of the previous term (null before the first). */
  period_start: string | null;
  /** The period's end (exclusive); between terms the start of the next term (null after the last). */
  period_end: string | null;
  /** Set between terms (no period open; then no budgets are listed), else null. */
  gap: BudgetGapModel | null;
  unit: 'CU';
  /** Everything the user spent this period (0 between terms). */
  spent: number;
  /** What the user's own budget has left; null when none applies. */
  remaining: number | null;
  /** The user's own budget; null when none applies. */
  budget: BudgetStateModel | null;
  /** The user's groups that have a budget, with what all their members spent on it. */
  groups: BudgetStateModel[];
}

/** The answer of the admin budget changes (`POST …/budgets/{scope}/{name}/top-up`, `PUT` and `DELETE …/budgets/{scope}/{name}`). */
export interface BudgetAdjustmentModel {
  scope: BudgetScopeModel;
  name: string;
  /** The current term's name (`budgets.period: terms`), else null. */
  term: string | null;
  period_start: string;
  period_end: string;
  unit: 'CU';
  /** The configured amount, or null. */
  configured: number | null;
  /** This period's limit instead of the configured amount, or null. */
  limit_override: number | null;
  /** Units added this period. */
  top_up: number;
  /** Units carried over from the previous period (`budgets.carryOver`; 0 when off). */
  carried_over: number;
  /** What applies: (limit_override, else configured) + top_up + carried_over; null when no budget applies. */
  amount: number | null;
  spent: number;
  /** amount − spent; null when no budget applies. */
  remaining: number | null;
}
