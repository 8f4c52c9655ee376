import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new opaque token: 32 lowercase hex characters (128 bits), like JupyterHub's. */
export function newToken(): string {
  return randomBytes(16).toString('hex');
}

/** A random url-safe id (session ids, OAuth codes, XSRF values): `bytes` of entropy. */
export function randomId(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Hex SHA-256 of a high-entropy secret (tokens, codes). Not for passwords. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time equality of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
