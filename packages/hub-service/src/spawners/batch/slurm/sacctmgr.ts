/**
 * `sacctmgr`: the accounts, partitions and QoS a user may use (their associations), and what of a
 * profile's `slurm.choices` that leaves to offer, as pure functions.
 */
import { SCHEDULER_NAME } from '../job-spec';
import { outputLines } from './fields';

/** The columns this module asks for, in order. */
export const SACCTMGR_FIELDS = ['Account', 'Partition', 'QOS'] as const;

/** A cluster account (user) name sacctmgr can be asked about. */
const ACCOUNT_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** `sacctmgr`'s argv: the associations of `user`, parsable, no header. */
export function sacctmgrArgs(user: string): string[] {
  if (!ACCOUNT_USER.test(user)) throw new RangeError(`user ${JSON.stringify(user.slice(0, 40))} is not a cluster account name`);
  return ['--noheader', '--parsable2', 'show', 'associations', 'where', `user=${user}`, `format=${SACCTMGR_FIELDS.join(',')}`];
}

/** `sacctmgr`'s argv for the user's default account (`show user <user> format=User,DefaultAccount`). */
export function defaultAccountArgs(user: string): string[] {
  if (!ACCOUNT_USER.test(user)) throw new RangeError(`user ${JSON.stringify(user.slice(0, 40))} is not a cluster account name`);
  return ['--noheader', '--parsable2', 'show', 'user', user, 'format=User,DefaultAccount'];
}

/** Reads the default account from {@link defaultAccountArgs}' output (`alice|physics`); `null` when none. */
export function parseDefaultAccount(text: string): string | null {
  for (const line of outputLines(text)) {
    const account = line.split('|')[1]?.trim() ?? '';
    if (SCHEDULER_NAME.test(account)) return account;
  }
  return null;
}

/** One account of the user and what it allows. */
export interface AccountAssociation {
  readonly account: string;
  /** Partitions it may use; `any` when an association names none (all partitions). */
  readonly partitions: readonly string[] | 'any';
  /** QoS it may use. */
  readonly qos: readonly string[];
}

/** What a user may use, from their associations. */
export interface UserAssociations {
  readonly accounts: readonly string[];
  /** Union over accounts; `any` when one of them allows every partition. */
  readonly partitions: readonly string[] | 'any';
  readonly qos: readonly string[];
  readonly byAccount: readonly AccountAssociation[];
}

const names = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => SCHEDULER_NAME.test(s));

/**
 * Parses `sacctmgr --noheader --parsable2 show associations … format=Account,Partition,QOS`
 * (a trailing `|`, as `--parsable` prints, is fine). Lines it cannot read are skipped.
 */
export function parseAssociations(text: string): UserAssociations {
  const accounts = new Map<string, { partitions: Set<string> | 'any'; qos: Set<string> }>();
  for (const line of outputLines(text)) {
    const [account = '', partition = '', qos = ''] = line.split('|').map((s) => s.trim());
    if (!SCHEDULER_NAME.test(account) || line.split('|').length < SACCTMGR_FIELDS.length) continue;
    const entry = accounts.get(account) ?? { partitions: new Set<string>(), qos: new Set<string>() };
    if (partition === '') entry.partitions = 'any';
    else if (entry.partitions !== 'any') for (const p of names(partition)) entry.partitions.add(p);
    for (const q of names(qos)) entry.qos.add(q);
    accounts.set(account, entry);
  }
  const byAccount: AccountAssociation[] = [...accounts].map(([account, e]) => ({
    account,
    partitions: e.partitions === 'any' ? 'any' : [...e.partitions].sort(),
    qos: [...e.qos].sort(),
  }));
  const anyPartition = byAccount.some((a) => a.partitions === 'any');
  return {
    accounts: byAccount.map((a) => a.account).sort(),
    partitions: anyPartition ? 'any' : [...new Set(byAccount.flatMap((a) => (a.partitions === 'any' ? [] : a.partitions)))].sort(),
    qos: [...new Set(byAccount.flatMap((a) => a.qos))].sort(),
    byAccount,
  };
}

/**
 * What to offer a user for one choice: the profile's list (or `any`) narrowed to what the
 * associations allow. `null` when the profile offers no choice; `'any'` when both sides allow
 * anything (free input; Slurm checks at submission).
 */
export function offeredChoice(choice: readonly string[] | 'any' | undefined, allowed: readonly string[] | 'any'): readonly string[] | 'any' | null {
  if (choice === undefined) return null;
  if (choice === 'any') return allowed;
  return allowed === 'any' ? [...choice] : choice.filter((c) => allowed.includes(c));
}
