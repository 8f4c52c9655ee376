import type { Backends } from '../spawners/backends';
import type { ResolvedConfig } from '../config/types';
import type { Store } from '../store/store';
import type { Authenticator } from '../authenticators/authenticator';
import type { Logger } from '../observability/logger';
import type { HubMetrics } from '../observability/metrics';
import type { Clock } from '../lib/clock';
import type { IdentityService } from '../services/identity';
import type { ServerLifecycle } from '../services/server-lifecycle';
import type { RouteService } from '../services/route-service';
import type { SessionCookieCodec } from './session-cookie';
import type { UserService } from '../services/users';
import type { BatchCapacity } from '../services/batch-capacity';
import type { BatchJobs } from '../services/batch-jobs';
import type { AuditLog } from '../services/audit';
import type { GroupRefresh } from '../services/group-refresh';

/** Everything the HTTP layer needs, built once in the composition root (app.ts). */
export interface HubContext {
  readonly config: ResolvedConfig;
  readonly store: Store;
  readonly identity: IdentityService;
  readonly lifecycle: ServerLifecycle;
  readonly routes: RouteService;
  readonly users: UserService;
  readonly authenticator: Authenticator;
  readonly metrics: HubMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly sessions: SessionCookieCodec;
  /** Forces a route reconciliation (POST /hub/api/proxy). */
  readonly checkRoutes: () => Promise<void>;
  /** Hub prefix, e.g. `/hub/`. */
  readonly hubPrefix: string;
  /** Batch (Slurm) profiles: capacity and choices, and the jobs API (docs/batch-jobs.md); absent in contexts built without them. */
  readonly batch?: { readonly capacity: BatchCapacity; readonly jobs: BatchJobs };
  /** The backends by name (what is free per profile: `Backends.capacities`); absent in contexts built without them. */
  readonly backends?: Backends;
  /** The audit log (docs/audit.md); absent in contexts built without it. */
  readonly audit?: AuditLog;
  /** The group refresh with the provider's refresh token (`auth.oidc.refreshGroupsSeconds`); absent when off. */
  readonly groupRefresh?: GroupRefresh;
}
