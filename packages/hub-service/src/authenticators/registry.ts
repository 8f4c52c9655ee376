/** Builds the configured {@link Authenticator}: the one place that maps `auth.kind` to an adapter. */
import type { ResolvedConfig } from '../config/types';
import type { Clock } from '../lib/clock';
import type { Store } from '../store/store';
import type { Authenticator } from './authenticator';
import { LocalAuthenticator } from './local/local-authenticator';
import { OidcAuthenticator } from './oidc/oidc-authenticator';
import { LdapAuthenticator } from './ldap/ldap-authenticator';
import { PamAuthenticator } from './pam/pam-authenticator';
import { ThrottledAuthenticator } from './form-throttle';

/** What the adapters may need from the composition root. */
export interface AuthenticatorDeps {
  /** The hub's store (local accounts live in `store.accounts`). */
  readonly store: Store;
  /** Time source, milliseconds since the epoch (default the system clock). */
  readonly clock?: Clock;
}

/**
 * The authenticator for `config` (`auth.kind`). The local adapter starts hashing a decoy password
 * in the background (used to make unknown names cost as much as known ones); the OIDC adapter reads
 * the provider's metadata on the first login, not here.
 *
 * @throws Error naming `auth.kind` for a kind this build does not know.
 */
export function createAuthenticator(config: ResolvedConfig['auth'], deps: AuthenticatorDeps): Authenticator {
  const kind: string = config.kind;
  // Form logins checked elsewhere (LDAP, PAM) are throttled like local ones (auth.loginThrottle).
  const throttle = { ...config.loginThrottle, ...(deps.clock ? { clock: deps.clock } : {}) };
  switch (config.kind) {
    case 'local':
      return new LocalAuthenticator({
        accounts: deps.store.accounts,
        throttle: { freeFailures: config.loginThrottle.freeFailures, maxDelaySeconds: config.loginThrottle.maxDelaySeconds },
        ...(deps.clock ? { clock: deps.clock } : {}),
      });
    case 'oidc':
      if (config.oidc === null) throw new Error('auth.oidc: required when auth.kind is oidc');
      return new OidcAuthenticator({ config: config.oidc, ...(deps.clock ? { clock: deps.clock } : {}) });
    case 'ldap':
      if (config.ldap === null) throw new Error('auth.ldap: required when auth.kind is ldap');
      return new ThrottledAuthenticator(new LdapAuthenticator({ config: config.ldap }), throttle);
    case 'pam':
      if (config.pam === null) throw new Error('auth.pam: required when auth.kind is pam');
      return new ThrottledAuthenticator(new PamAuthenticator({ config: config.pam }), throttle);
    default:
      throw new Error(`auth.kind: unknown authenticator kind ${JSON.stringify(kind)} (known: local, oidc, ldap, pam)`);
  }
}
