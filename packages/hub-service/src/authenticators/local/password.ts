/**
 * Password hashing for local accounts: scrypt (Node's built-in KDF) with a random salt, stored as
 * a PHC-style string `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (unpadded base64). Verification reads
 * the parameters from the stored string, so the cost can be raised later without breaking old hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cost parameters of new hashes: N = 2^ln, block size r, parallelism p. */
export const SCRYPT_PARAMS = { ln: 15, r: 8, p: 1 } as const;

/** Salt length in bytes. */
const SALT_BYTES = 16;

/** Derived key length in bytes. */
const KEY_BYTES = 32;

/** Bounds on parameters read from a stored hash, so a tampered row cannot make verification hang or exhaust memory. */
const LIMITS = { ln: [10, 20], r: [1, 32], p: [1, 4], keyBytes: [16, 128] } as const;

/** Most memory one verification may use (scrypt needs 128·N·r bytes). */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Longest password accepted (characters); longer input is refused rather than hashed. */
export const MAX_PASSWORD_LENGTH = 1024;

/** scrypt as a promise, with `maxmem` raised to what the parameters need. */
function derive(password: string, salt: Buffer, keyBytes: number, params: { ln: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 128 * N * params.r + 128 * params.r * params.p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyBytes, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function within(value: number, [lo, hi]: readonly [number, number]): boolean {
  return Number.isInteger(value) && value >= lo && value <= hi;
}

/**
 * Hashes a password for storage (about 100 ms of CPU at the default cost).
 * @throws RangeError when the password is longer than {@link MAX_PASSWORD_LENGTH}.
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length > MAX_PASSWORD_LENGTH) throw new RangeError(`passwords are at most ${MAX_PASSWORD_LENGTH} characters`);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, SCRYPT_PARAMS);
  const { ln, r, p } = SCRYPT_PARAMS;
  return `$scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
}

/**
 * Checks a password against a stored hash in constant time. An unknown or malformed format, or
 * parameters out of bounds, give `false` (never an exception).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PHC.exec(stored);
  if (!match || password.length > MAX_PASSWORD_LENGTH) return false;
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const salt = Buffer.from(match[4] ?? '', 'base64');
  const expected = Buffer.from(match[5] ?? '', 'base64');
  if (!within(params.ln, LIMITS.ln) || !within(params.r, LIMITS.r) || !within(params.p, LIMITS.p)) return false;
  if (128 * 2 ** params.ln * params.r > MAX_SCRYPT_MEMORY) return false;
  if (!within(expected.length, LIMITS.keyBytes) || salt.length === 0) return false;
  const actual = await derive(password, salt, expected.length, params);
  return timingSafeEqual(actual, expected);
}

/** A new random password: 24 url-safe characters (144 bits), e.g. for the first admin. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
