/**
 * Who is acting right now, for the audit log: the HTTP layer runs each request in a context
 * holding its caller and client address ({@link withAuditActor}); work outside any request (the
 * culler, polling, start-up) has none and is recorded as the hub itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditActorKind } from '../store/audit-repository';

/** The actor of the current request. */
export interface AuditActor {
  readonly kind: AuditActorKind;
  /** User or service name; null for anonymous callers and the hub itself. */
  readonly name: string | null;
  /** The client's address (behind trusted proxies: the forwarded one); null when unknown. */
  readonly address: string | null;
}

const current = new AsyncLocalStorage<AuditActor>();

/** Runs `fn` (and everything it starts) as `actor`. */
export function withAuditActor<T>(actor: AuditActor, fn: () => T): T {
  return current.run(actor, fn);
}

/** The actor of the running request, or null outside any request. */
export function currentAuditActor(): AuditActor | null {
  return current.getStore() ?? null;
}
