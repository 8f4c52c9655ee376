/** Failures of a login at the provider, put in plain words for the login page (and a reason for the log). */
import { errors } from 'openid-client';

/** What the person reads, and what the log records. */
export interface LoginFailure {
  readonly reason: string;
  readonly message: string;
}

/** Network error codes that mean the provider could not be reached. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ESOCKETTIMEDOUT']);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: unknown }).cause;
  return cause === err ? undefined : errorCode(cause);
}

/** The provider could not be reached (connection refused, timeout, unknown host). */
export function unreachable(where: string, err: unknown): LoginFailure {
  const code = errorCode(err) ?? (err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'error');
  return {
    reason: `provider unreachable at ${where}: ${code} ${err instanceof Error ? err.message : String(err)}`,
    message: `The identity provider (${where}) could not be reached, so you cannot sign in right now. Try again later, or tell your administrator if this persists.`,
  };
}

/**
 * A failure while finishing the login: the provider's own error (`access_denied` and its
 * description), a response that fails the checks (state, nonce, signature), or no connection.
 */
export function describeFailure(where: string, err: unknown): LoginFailure {
  if (err instanceof errors.OPError) {
    const said = err.error_description ? `${err.error_description} (${err.error ?? 'error'})` : (err.error ?? err.message);
    if (err.error === 'access_denied') {
      return { reason: `provider: ${said}`, message: `The identity provider refused the sign-in: ${said}.` };
    }
    return { reason: `provider: ${said}`, message: `The identity provider reported an error: ${said}. Please sign in again.` };
  }
  if (err instanceof errors.RPError) {
    return {
      reason: `response refused: ${err.message}`,
      message: 'The answer from the identity provider could not be verified, so the sign-in was refused. Please sign in again.',
    };
  }
  const code = errorCode(err);
  if (code !== undefined && UNREACHABLE.has(code)) return unreachable(where, err);
  if (err instanceof Error && err.name === 'TimeoutError') return unreachable(where, err);
  return {
    reason: `login failed: ${err instanceof Error ? err.message : String(err)}`,
    message: 'The sign-in at the identity provider failed. Please sign in again, or tell your administrator if this persists.',
  };
}

/**
 * Why a refresh grant failed: `expired` when the provider says the grant is gone (`invalid_grant`:
 * revoked, expired, the account removed) or its answer fails the checks (another subject); an
 * unreachable provider or any other error is not the user's doing and is tried again later.
 */
export function refreshFailure(where: string, err: unknown): { readonly ok: false; readonly expired: boolean; readonly reason: string } {
  if (err instanceof errors.OPError) {
    const said = err.error_description ? `${err.error_description} (${err.error ?? 'error'})` : (err.error ?? err.message);
    return { ok: false, expired: err.error === 'invalid_grant', reason: `provider: ${said}` };
  }
  if (err instanceof errors.RPError) return { ok: false, expired: true, reason: `refresh answer refused: ${err.message}` };
  const code = errorCode(err);
  if ((code !== undefined && UNREACHABLE.has(code)) || (err instanceof Error && err.name === 'TimeoutError')) {
    return { ok: false, expired: false, reason: unreachable(where, err).reason };
  }
  return { ok: false, expired: false, reason: `refresh failed: ${err instanceof Error ? err.message : String(err)}` };
}
