import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The secret that signs login cookies: `CLUSTERHUB_COOKIE_SECRET` (hex) if set, else the file
 * `<dataDir>/cookie_secret`, created (mode 0600) with 32 random bytes on first start.
 */
export function loadCookieSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.CLUSTERHUB_COOKIE_SECRET;
  if (fromEnv) return Buffer.from(fromEnv, /^[0-9a-f]+$/i.test(fromEnv) ? 'hex' : 'utf8');
  const path = join(dataDir, 'cookie_secret');
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  writeFileSync(path, secret.toString('hex'), { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}
