/**
 * The budget part of the Resources panel: the period, each budget that limits the owner (their
 * own, their groups') with what is left and a bar of what is used, or why none applies (between
 * terms: the hub's words). Reads a snapshot's budgets only.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { IHubBudgets } from '../client/hub-models';
import { budgetLines, budgetPeriod, formatUnits, type IBudgetLine, type IBudgetPeriod } from '../models/budget-summary';

/** "this month", "term WS2026", … with the last day when known. */
function periodText(period: IBudgetPeriod, trans: TranslationBundle): string {
  const name =
    period.kind === 'terms' && period.term
      ? trans.__('term %1', period.term)
      : period.kind === 'quarter'
        ? trans.__('this quarter')
        : period.kind === 'year'
          ? trans.__('this year')
          : trans.__('this month');
  return period.lastDay ? trans.__('%1, until %2', name, period.lastDay) : name;
}

/** One budget: whose, what is left of how much, and a bar of the share used. */
function BudgetLine(props: { line: IBudgetLine; trans: TranslationBundle }): JSX.Element {
  const { line, trans } = props;
  const whose = line.kind === 'user' ? trans.__('Yours') : trans.__('Group %1', line.name);
  const percent = Math.round(line.used * 100);
  return (
    <div className={`jp-hub-BudgetLine${line.exhausted ? ' jp-hub-BudgetLine-exhausted' : ''}`} data-budget={`${line.kind}/${line.name}`}>
      <div className="jp-hub-BudgetLine-text">
        <span className="jp-hub-BudgetLine-whose">{whose}</span>{' '}
        <span className="jp-hub-BudgetLine-left">{trans.__('%1 of %2 CU left', formatUnits(Math.max(0, line.remaining)), formatUnits(line.amount))}</span>
      </div>
      <div
        className="jp-hub-BudgetBar"
        role="meter"
        aria-label={trans.__('%1: share used', whose)}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="jp-hub-BudgetBar-used" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

/** The Budget section of the panel. */
export function BudgetSection(props: { budgets: IHubBudgets; trans: TranslationBundle }): JSX.Element {
  const { budgets, trans } = props;
  const lines = budgetLines(budgets);
  let content: React.ReactNode;
  if (budgets.gap !== null) {
    content = (
      <div className="jp-hub-Notice" data-field="budget-gap">
        {budgets.gap.message}
      </div>
    );
  } else if (lines.length === 0) {
    content = <div className="jp-hub-Budget-none">{trans.__('No budget limits your use.')}</div>;
  } else {
    content = lines.map((line) => <BudgetLine key={`${line.kind}/${line.name}`} line={line} trans={trans} />);
  }
  return (
    <section className="jp-hub-Budget" data-field="budget">
      <h3 className="jp-hub-Budget-title">
        {trans.__('Budget')} <span className="jp-hub-Budget-period">{budgets.gap === null ? periodText(budgetPeriod(budgets), trans) : null}</span>
      </h3>
      {content}
      {budgets.gap === null ? <div className="jp-hub-Budget-spent">{trans.__('You spent %1 CU.', formatUnits(budgets.spent))}</div> : null}
    </section>
  );
}
