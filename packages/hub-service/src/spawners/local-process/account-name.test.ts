import { isValidAccountName, MAX_ACCOUNT_NAME, unixAccountName } from './account-name';

describe('unixAccountName', () => {
  it('keeps names that are valid account names', () => {
    expect(unixAccountName('{username}', 'alice')).toBe('alice');
    expect(unixAccountName('jupyter-{username}', 'bob_2')).toBe('jupyter-bob_2');
  });

  it.each(['Alice', 'a.b+tag@example.org', 'José Núñez', '../../etc', 'root:x', '1abc', '李', 'x'.repeat(40)])(
    'maps %j to a valid, distinct account name',
    (name) => {
      const mapped = unixAccountName('{username}', name);
      expect(isValidAccountName(mapped)).toBe(true);
      expect(mapped.length).toBeLessThanOrEqual(MAX_ACCOUNT_NAME);
      expect(mapped).not.toBe(name);
    },
  );

  it('never maps two names onto one account', () => {
    const names = ['Alice', 'alice', 'ALICE', 'a.b', 'a-b', 'a b', 'a+b', 'ü', 'é', '', ' ', '.', '..'];
    const mapped = names.map((n) => unixAccountName('{username}', n));
    expect(new Set(mapped).size).toBe(names.length);
  });

  it('hashes a name that imitates a mapped one, so it cannot take over that account', () => {
    const victim = unixAccountName('{username}', 'Bob.Smith');
    expect(victim).toMatch(/^bob-smith-[0-9a-f]{12}$/);
    expect(unixAccountName('{username}', victim)).not.toBe(victim);
  });

  it('keeps the template and stays within 32 characters', () => {
    const mapped = unixAccountName('jupyter-{username}', 'A'.repeat(100));
    expect(mapped.startsWith('jupyter-')).toBe(true);
    expect(mapped.length).toBeLessThanOrEqual(MAX_ACCOUNT_NAME);
  });

  it('refuses a template without exactly one {username}', () => {
    expect(() => unixAccountName('shared', 'alice')).toThrow(/must hold \{username\} exactly once/);
    expect(() => unixAccountName('{username}{username}', 'alice')).toThrow(/exactly once/);
  });
});
