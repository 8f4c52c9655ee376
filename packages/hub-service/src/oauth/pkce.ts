import { createHash } from 'node:crypto';
import { safeEqual } from '../lib/secrets';

/** True when `verifier` matches an S256 `challenge` (RFC 7636): base64url(SHA-256(verifier)), no padding. */
export function verifyPkceS256(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  return safeEqual(computed, challenge);
}
