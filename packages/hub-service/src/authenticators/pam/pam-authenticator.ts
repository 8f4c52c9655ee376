/**
 * Login form checked by PAM (`auth.pam`): the machine's Unix accounts, or whatever its PAM stack
 * asks (SSSD, Kerberos, LDAP through NSS). Each login runs the pamela helper (pam-helper.ts). The
 * hub user is the Unix account's name, so the local-process spawner runs the user's servers as that
 * existing account; root and system accounts (below `minUid`) are refused. Unix groups feed the
 * OIDC access rules (allowed and admin groups). Wrong password, locked account and unknown user
 * are the same failure; a helper that cannot run is "login service unavailable".
 */
import type { ResolvedPamConfig } from '../../config/types';
import type { AuthOutcome, Authenticator } from '../authenticator';
import { MAX_PASSWORD_LENGTH } from '../local/password';
import { decideAccess } from '../oidc/access';
import { unixAccountName } from '../../spawners/local-process/account-name';
import { runPamHelper, type PamAnswer } from './pam-helper';

/** Options of {@link PamAuthenticator}. */
export interface PamAuthenticatorOptions {
  readonly config: ResolvedPamConfig;
}

/** Shown when PAM cannot be asked (helper missing or failing). */
export const PAM_UNAVAILABLE_MESSAGE = 'The login service is unavailable right now, so nobody can sign in. Try again later, or tell your administrator.';

/** Portable Unix account names (useradd's default rule, lower case): what PAM is asked about. */
const UNIX_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** The PAM authenticator. */
export class PamAuthenticator implements Authenticator {
  /** This adapter's kind in config. */
  readonly kind = 'pam';

  private readonly config: ResolvedPamConfig;

  constructor(options: PamAuthenticatorOptions) {
    this.config = options.config;
  }

  /** Checks credentials with PAM; see {@link Authenticator.authenticate}. */
  async authenticate(credentials: { username: string; password: string; remoteAddress: string }): Promise<AuthOutcome> {
    const name = credentials.username.trim().toLowerCase();
    const { password } = credentials;
    if (!UNIX_NAME.test(name) || password === '' || password.length > MAX_PASSWORD_LENGTH) {
      return { ok: false, reason: 'malformed user name or password' };
    }
    // The spawner maps names that look like its own hashed names elsewhere: such a PAM user's servers would not run as this account.
    if (unixAccountName('{username}', name) !== name) return { ok: false, reason: `${name} would map to another Unix account` };
    const cfg = this.config;
    let answer: PamAnswer;
    try {
      answer = await runPamHelper({ python: cfg.python, service: cfg.service, timeoutMs: Math.round(cfg.timeoutSeconds * 1000) }, name, password);
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err), message: PAM_UNAVAILABLE_MESSAGE, unavailable: true };
    }
    if (!answer.ok) return { ok: false, reason: answer.reason };
    if (answer.uid < cfg.minUid) return { ok: false, reason: `uid ${answer.uid} is below auth.pam.minUid ${cfg.minUid}` };
    const decision = decideAccess(cfg, name, answer.groups);
    if (!decision.allowed) return { ok: false, reason: decision.reason, message: decision.message };
    return {
      ok: true,
      username: name,
      ...(cfg.manageGroups ? { groups: answer.groups } : {}),
      ...(decision.admin === undefined ? {} : { admin: decision.admin }),
    };
  }
}
