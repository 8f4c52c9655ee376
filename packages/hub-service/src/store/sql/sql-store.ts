import type { AuditRepository } from '../audit-repository';
import type { BudgetAdjustmentRepository } from '../budget-adjustment-repository';
import type { OidcSessionRepository } from '../oidc-session-repository';
import type { AccountRepository, GroupRepository, OAuthRepository, ServerRepository, Store, StoreChangeSignal, TokenRepository, UsageRepository, UserRepository } from '../store';
import { SqlAccountRepository } from './account-repository';
import { SqlAuditRepository } from './audit-repository';
import { SqlBudgetAdjustmentRepository } from './budget-adjustment-repository';
import type { SqlDriver } from './driver';
import { SqlGroupRepository } from './group-repository';
import { SqlOAuthRepository } from './oauth-repository';
import { SqlOidcSessionRepository } from './oidc-session-repository';
import { SqlServerRepository } from './server-repository';
import type { RepositoryContext } from './sql-helpers';
import { SqlTokenRepository } from './token-repository';
import { SqlUsageRepository } from './usage-repository';
import { SqlUserRepository } from './user-repository';

/** Options of {@link SqlStore}. */
export interface SqlStoreOptions {
  readonly driver: SqlDriver;
  /** Clock for default timestamps. */
  readonly now: () => Date;
}

/**
 * The {@link Store} built on a {@link SqlDriver}: the same repositories for every dialect. A
 * transaction gets its own `SqlStore` over the transaction's driver.
 */
export class SqlStore implements Store {
  readonly kind: Store['kind'];
  readonly users: UserRepository;
  readonly groups: GroupRepository;
  readonly servers: ServerRepository;
  readonly tokens: TokenRepository;
  readonly oauth: OAuthRepository;
  readonly accounts: AccountRepository;
  readonly usage: UsageRepository;
  readonly audit: AuditRepository;
  readonly budgets: BudgetAdjustmentRepository;
  readonly oidcSessions: OidcSessionRepository;
  /** {@inheritDoc Store.changes} */
  readonly changes: StoreChangeSignal | null;
  private readonly driver: SqlDriver;
  private readonly now: () => Date;

  constructor(options: SqlStoreOptions) {
    this.driver = options.driver;
    this.now = options.now;
    this.kind = options.driver.dialect;
    this.changes = options.driver.changes;
    const ctx: RepositoryContext = { db: options.driver, now: options.now };
    this.users = new SqlUserRepository(ctx);
    this.groups = new SqlGroupRepository(ctx);
    this.servers = new SqlServerRepository(ctx);
    this.tokens = new SqlTokenRepository(ctx);
    this.oauth = new SqlOAuthRepository(ctx);
    this.accounts = new SqlAccountRepository(ctx);
    this.usage = new SqlUsageRepository(ctx);
    this.audit = new SqlAuditRepository(ctx);
    this.budgets = new SqlBudgetAdjustmentRepository(ctx);
    this.oidcSessions = new SqlOidcSessionRepository(ctx);
  }

  /** {@inheritDoc Store.transaction} */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.driver.transaction((txDriver) => fn(txDriver === this.driver ? this : new SqlStore({ driver: txDriver, now: this.now })));
  }

  /** {@inheritDoc Store.close} */
  close(): Promise<void> {
    return this.driver.close();
  }
}
