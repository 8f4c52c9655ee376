import { migration001Initial } from './001-initial';
import { migration002UsageLedger } from './002-usage-ledger';
import { migration003ServerBackend } from './003-server-backend';
import { migration004AuditEvents } from './004-audit-events';
import { migration005BudgetAdjustments } from './005-budget-adjustments';
import { migration006OidcSessions } from './006-oidc-sessions';
import { migration007ChangeNotify } from './007-change-notify';
import type { Migration } from './migration';

/** Every migration this build knows, in order. Add new ones at the end. */
export const MIGRATIONS: readonly Migration[] = [migration001Initial, migration002UsageLedger, migration003ServerBackend, migration004AuditEvents, migration005BudgetAdjustments, migration006OidcSessions, migration007ChangeNotify];
