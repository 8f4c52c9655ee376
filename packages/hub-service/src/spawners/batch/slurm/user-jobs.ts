/**
 * A user's own batch jobs (the jobs API, docs/batch-jobs.md): the argv of the queue listing (`squeue
 * --user`) and of the recent-jobs listing (`sacct --user --starttime`), and of the owner check of one
 * job, as pure functions. Parsing reuses {@link parseSqueue} and {@link parseSacct}.
 */
import { jobIdList } from './fields';
import { SACCT_FIELDS } from './sacct';
import { squeueFormat } from './squeue';

/** A cluster account (user) name the listings can be asked about. */
const ACCOUNT_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** `YYYY-MM-DDTHH:MM:SS` in the hub's local time zone, as Slurm reads times (see time.ts). */
export function formatSlurmTime(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

function checkAccount(account: string): string {
  if (!ACCOUNT_USER.test(account)) throw new RangeError(`user ${JSON.stringify(account.slice(0, 40))} is not a cluster account name`);
  return account;
}

/** `squeue`'s argv for every job of `account` still in the queue (pending, running, completing…). */
export function userQueueArgs(account: string): string[] {
  return ['--noheader', '--array', `--format=${squeueFormat()}`, `--user=${checkAccount(account)}`];
}

/** `sacct`'s argv for the allocations of `account` that started or were submitted since `since`. */
export function userHistoryArgs(account: string, since: Date): string[] {
  return ['--noheader', '--parsable2', '--allocations', `--user=${checkAccount(account)}`, `--starttime=${formatSlurmTime(since)}`, `--format=${SACCT_FIELDS.join(',')}`];
}

/** `squeue`'s argv for one job whatever its state (its owner, while the controller still lists it). */
export function oneJobQueueArgs(id: string): string[] {
  return ['--noheader', '--states=all', `--format=${squeueFormat()}`, `--jobs=${jobIdList([id])}`];
}

/** `sacct`'s argv for one job (its owner, once accounting has it). */
export function oneJobHistoryArgs(id: string): string[] {
  return ['--noheader', '--parsable2', '--allocations', `--jobs=${jobIdList([id])}`, `--format=${SACCT_FIELDS.join(',')}`];
}
