import type { AccountRecord, AccountRepository } from '../store';
import type { SqlRow } from './driver';
import type { RepositoryContext } from './sql-helpers';
import { decodeDate, decodeString, encodeDate } from './values';

/**
 * {@link AccountRepository} in SQL. Accounts are keyed by name, not by user id, so one may exist
 * before its user; the user repository renames and deletes the account with its user.
 */
export class SqlAccountRepository implements AccountRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async get(userName: string): Promise<AccountRecord | null> {
    const rows = await this.ctx.db.query('SELECT user_name, password_hash, updated FROM local_accounts WHERE user_name = ?', [userName]);
    return rows[0] ? decodeAccount(rows[0]) : null;
  }

  async set(userName: string, passwordHash: string): Promise<void> {
    await this.ctx.db.run(
      `INSERT INTO local_accounts (user_name, password_hash, updated) VALUES (?, ?, ?)
       ON CONFLICT (user_name) DO UPDATE SET password_hash = excluded.password_hash, updated = excluded.updated`,
      [userName, passwordHash, encodeDate(this.ctx.now())],
    );
  }

  async delete(userName: string): Promise<boolean> {
    return (await this.ctx.db.run('DELETE FROM local_accounts WHERE user_name = ?', [userName])).changes > 0;
  }

  async listNames(): Promise<string[]> {
    const rows = await this.ctx.db.query('SELECT user_name FROM local_accounts ORDER BY user_name');
    return rows.map((row) => decodeString(row.user_name));
  }
}

/** Decodes a `local_accounts` row. */
export function decodeAccount(row: SqlRow): AccountRecord {
  return { userName: decodeString(row.user_name), passwordHash: decodeString(row.password_hash), updated: decodeDate(row.updated) };
}
