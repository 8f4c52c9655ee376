import { generatePassword, hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from './password';

describe('hashPassword / verifyPassword', () => {
  it('stores a PHC-style scrypt string that verifies the same password only', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapl', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
    await expect(verifyPassword('same', b ?? '')).resolves.toBe(true);
  });

  it('treats canonically equal Unicode spellings as the same password', async () => {
    const stored = await hashPassword('caf\u00e9');
    await expect(verifyPassword('cafe\u0301', stored)).resolves.toBe(true);
  });

  it('verifies hashes made with other parameters within bounds', async () => {
    const stored = await hashPassword('pw');
    const salt = stored.split('$')[3] ?? '';
    // A hash at lower cost, as an older or tuned build might have written it.
    const { scryptSync } = await import('node:crypto');
    const key = scryptSync('pw', Buffer.from(salt, 'base64'), 32, { N: 2 ** 12, r: 8, p: 1 }).toString('base64').replace(/=+$/, '');
    await expect(verifyPassword('pw', `$scrypt$ln=12,r=8,p=1$${salt}$${key}`)).resolves.toBe(true);
  });

  it.each([
    '',
    'plain text',
    '$2b$12$abcdefghijklmnopqrstuv',
    '$scrypt$ln=15,r=8,p=1$',
    '$scrypt$ln=15,r=8,p=1$c2FsdA$',
    '$scrypt$ln=30,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    '$scrypt$ln=20,r=32,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    '$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAA',
  ])('answers false for an unknown or unsafe format %j', async (stored) => {
    await expect(verifyPassword('pw', stored)).resolves.toBe(false);
  });

  it('refuses to hash an overly long password and never verifies one', async () => {
    const long = 'x'.repeat(MAX_PASSWORD_LENGTH + 1);
    await expect(hashPassword(long)).rejects.toThrow(RangeError);
    const stored = await hashPassword('x'.repeat(MAX_PASSWORD_LENGTH));
    await expect(verifyPassword(long, stored)).resolves.toBe(false);
  });
});

describe('generatePassword', () => {
  it('makes long, url-safe, different passwords', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i += 1) {
      const pw = generatePassword();
      expect(pw.length).toBeGreaterThanOrEqual(20);
      expect(pw).toMatch(/^[A-Za-z0-9_-]+$/);
      seen.add(pw);
    }
    expect(seen.size).toBe(50);
  });
});
