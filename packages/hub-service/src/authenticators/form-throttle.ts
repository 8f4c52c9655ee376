/**
 * Throttling of failed form logins for authenticators that check a password elsewhere (LDAP, PAM):
 * the same rule as the local accounts (`auth.loginThrottle`): delays per (user name, client
 * address) and, more loosely, per client address, built on the local adapter's LoginThrottle. Only
 * wrong credentials count: a user refused by the access rules gave the right password, and an
 * unavailable login service says nothing about the password.
 */
import type { Clock } from '../lib/clock';
import type { AuthOutcome, Authenticator, RedirectLogin } from './authenticator';
import { LoginThrottle, type ThrottleDecision } from './local/login-throttle';

/** Settings of {@link ThrottledAuthenticator} (the config's `auth.loginThrottle`). */
export interface FormThrottleOptions {
  /** Failures per user name and address before delays start. */
  readonly freeFailures: number;
  /** Longest delay; 0 turns throttling off. */
  readonly maxDelaySeconds: number;
  /** Time source (default the system clock). */
  readonly clock?: Clock;
}

/** The more restrictive of two decisions. */
function stricter(a: ThrottleDecision, b: ThrottleDecision): ThrottleDecision {
  if (a.allowed) return b;
  if (b.allowed) return a;
  return { allowed: false, retryAfterSeconds: Math.max(a.retryAfterSeconds, b.retryAfterSeconds) };
}

/** `inner` with failed form logins throttled per (name, address) and per address. */
export class ThrottledAuthenticator implements Authenticator {
  /** The inner adapter's kind. */
  readonly kind: string;
  /** The inner adapter's redirect login, if any (not throttled here). */
  readonly redirect?: RedirectLogin;

  private readonly inner: Authenticator;
  private readonly byUser: LoginThrottle;
  private readonly byAddress: LoginThrottle;

  constructor(inner: Authenticator, options: FormThrottleOptions) {
    this.inner = inner;
    this.kind = inner.kind;
    if (inner.redirect) this.redirect = inner.redirect;
    const shared = { maxDelaySeconds: options.maxDelaySeconds, ...(options.clock ? { clock: options.clock } : {}) };
    this.byUser = new LoginThrottle({ ...shared, freeFailures: options.freeFailures });
    // Many people may share one address behind NAT: the address limit is ten times looser.
    this.byAddress = new LoginThrottle({ ...shared, freeFailures: Math.max(10, options.freeFailures * 10) });
  }

  /** Checks the throttle, then the inner adapter; see {@link Authenticator.authenticate}. */
  async authenticate(credentials: { username: string; password: string; remoteAddress: string }): Promise<AuthOutcome> {
    const address = credentials.remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const userKey = `${credentials.username.trim().toLowerCase()}\n${address}`;
    const decision = stricter(this.byUser.check(userKey), this.byAddress.check(address));
    if (!decision.allowed) return { ok: false, reason: 'too many failed logins', retryAfterSeconds: decision.retryAfterSeconds };
    const outcome = await this.inner.authenticate(credentials);
    if (outcome.ok) this.byUser.recordSuccess(userKey);
    else if (outcome.message === undefined && outcome.unavailable !== true) {
      this.byUser.recordFailure(userKey);
      this.byAddress.recordFailure(address);
    }
    return outcome;
  }
}
