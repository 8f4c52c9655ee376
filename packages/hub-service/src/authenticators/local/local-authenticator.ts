/**
 * The embedded default authenticator: user names and scrypt password hashes kept in the store
 * (`accounts`). Repeated failures are throttled per (user name, client address) and per client
 * address, so one client's failures never delay another client, not even for the same name: the
 * client address is the real one behind the built-in or a trusted proxy (http/forwarded.ts). An
 * unknown name costs as much time as a wrong password, so timing does not reveal which names exist.
 */
import { isValidUserName } from '@clusterhub/shared';
import type { AccountRepository } from '../../store/store';
import type { Clock } from '../../lib/clock';
import type { AuthOutcome, Authenticator } from '../authenticator';
import { LoginThrottle, type ThrottleDecision } from './login-throttle';
import { MAX_PASSWORD_LENGTH, generatePassword, hashPassword, verifyPassword } from './password';

/** Throttling settings (the config's `auth.loginThrottle`). */
export interface LocalThrottleOptions {
  /** Failures per user name before delays start. */
  freeFailures: number;
  /** Longest delay; 0 turns throttling off. */
  maxDelaySeconds: number;
  /**
   * Failures per remote address before delays start (default ten times `freeFailures`, at least 10:
   * many people may share one address behind NAT).
   */
  addressFreeFailures?: number;
  /** Keys remembered per throttle (default 10,000). */
  maxEntries?: number;
}

/** Options of {@link LocalAuthenticator}. */
export interface LocalAuthenticatorOptions {
  /** Where the accounts live (the store's `accounts`). */
  accounts: AccountRepository;
  /** Throttling of failed logins. */
  throttle: LocalThrottleOptions;
  /** Time source for the throttle (default the system clock). */
  clock?: Clock;
}

/** The more restrictive of two decisions. */
function stricter(a: ThrottleDecision, b: ThrottleDecision): ThrottleDecision {
  if (a.allowed) return b;
  if (b.allowed) return a;
  return { allowed: false, retryAfterSeconds: Math.max(a.retryAfterSeconds, b.retryAfterSeconds) };
}

/** One key per client address: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address. */
function addressKey(remoteAddress: string): string {
  return remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** Local accounts: checks a user name and password against the stored scrypt hash. */
export class LocalAuthenticator implements Authenticator {
  /** This adapter's kind in config. */
  readonly kind = 'local';

  private readonly accounts: AccountRepository;
  private readonly byUser: LoginThrottle;
  private readonly byAddress: LoginThrottle;
  /** Hash of a random password, verified against for unknown names so they cost as much as known ones. */
  private readonly decoyHash: Promise<string>;

  constructor(options: LocalAuthenticatorOptions) {
    const { throttle, clock } = options;
    this.accounts = options.accounts;
    const shared = { maxDelaySeconds: throttle.maxDelaySeconds, ...(throttle.maxEntries ? { maxEntries: throttle.maxEntries } : {}), clock };
    this.byUser = new LoginThrottle({ ...shared, freeFailures: throttle.freeFailures });
    this.byAddress = new LoginThrottle({
      ...shared,
      freeFailures: throttle.addressFreeFailures ?? Math.max(10, throttle.freeFailures * 10),
    });
    this.decoyHash = hashPassword(generatePassword());
    // Awaited on first use; this only keeps an early failure from being reported as unhandled.
    this.decoyHash.catch(() => undefined);
  }

  /** Checks credentials; see {@link Authenticator.authenticate}. */
  async authenticate(credentials: { username: string; password: string; remoteAddress: string }): Promise<AuthOutcome> {
    const { username, password } = credentials;
    const addrKey = addressKey(credentials.remoteAddress);
    // Per name *and* client: guessing alice's password from one address never locks alice out elsewhere.
    const userKey = `${username.toLowerCase()}\n${addrKey}`;
    const decision = stricter(this.byUser.check(userKey), this.byAddress.check(addrKey));
    if (!decision.allowed) {
      return { ok: false, reason: 'too many failed logins', retryAfterSeconds: decision.retryAfterSeconds };
    }
    if (!isValidUserName(username) || password === '' || password.length > MAX_PASSWORD_LENGTH) {
      // Nothing to look up: such a name cannot exist, so answering fast reveals nothing.
      this.byAddress.recordFailure(addrKey);
      return { ok: false, reason: 'malformed user name or password' };
    }
    const account = await this.accounts.get(username);
    const valid = await verifyPassword(password, account?.passwordHash ?? (await this.decoyHash));
    if (account && valid) {
      this.byUser.recordSuccess(userKey);
      return { ok: true, username: account.userName };
    }
    this.byUser.recordFailure(userKey);
    this.byAddress.recordFailure(addrKey);
    return { ok: false, reason: account ? 'wrong password' : 'no such account' };
  }
}
