import { afterEach, beforeEach, describe } from '@jest/globals';
import { describeAccountContract } from './contract/accounts.contract';
import { describeAuditContract } from './contract/audit.contract';
import { describeBudgetAdjustmentContract } from './contract/budgets.contract';
import { describeGroupContract } from './contract/groups.contract';
import { describeOAuthContract } from './contract/oauth.contract';
import { describeOidcSessionContract } from './contract/oidc-sessions.contract';
import { describeServerContract } from './contract/servers.contract';
import { describeTokenContract } from './contract/tokens.contract';
import { describeTransactionContract } from './contract/transactions.contract';
import { describeUsageContract } from './contract/usage.contract';
import { describeUserContract } from './contract/users.contract';
import type { Store } from './store';

/**
 * The Store contract: every adapter must pass it. Call it from a jest test file with a factory
 * that returns a migrated, EMPTY store each time (it is called before every test; the store is
 * closed after it).
 */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store | null = null;
    const getStore = (): Store => {
      if (!store) throw new Error('the store is not open');
      return store;
    };

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      const current = store;
      store = null;
      if (current) await current.close();
    });

    describeUserContract(getStore);
    describeGroupContract(getStore);
    describeServerContract(getStore);
    describeTokenContract(getStore);
    describeOAuthContract(getStore);
    describeAccountContract(getStore);
    describeTransactionContract(getStore);
    describeUsageContract(getStore);
    describeAuditContract(getStore);
    describeBudgetAdjustmentContract(getStore);
    describeOidcSessionContract(getStore);
  });
}
