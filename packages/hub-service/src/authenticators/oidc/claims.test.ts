import { claimAt, groupsClaim, usernameClaim } from './claims';

describe('claim paths', () => {
  const claims = {
    sub: 'f3a1',
    preferred_username: 'alice',
    email: 'alice@example.org',
    employee: 12345,
    realm_access: { roles: ['cps-students', 'cpsHPCAccess'] },
    'https://example.org/groups': ['from-namespaced-claim'],
    'cognito:groups': 'single-group',
    nested: { empty: '', list: ['a', 3, null, ' b ', 'a'] },
  };

  it('reads top-level and dotted nested claims; a claim named with dots wins', () => {
    expect(claimAt(claims, 'preferred_username')).toBe('alice');
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['cps-students', 'cpsHPCAccess']);
    expect(claimAt(claims, 'https://example.org/groups')).toEqual(['from-namespaced-claim']);
    expect(claimAt(claims, 'realm_access.missing')).toBeUndefined();
    expect(claimAt(claims, 'preferred_username.length')).toBeUndefined();
    expect(claimAt(claims, 'nested.list.0')).toBeUndefined();
    expect(claimAt(claims, 'constructor')).toBeUndefined();
  });

  it('takes a user name from a non-empty string or a number', () => {
    expect(usernameClaim(claims, 'preferred_username')).toBe('alice');
    expect(usernameClaim(claims, 'email')).toBe('alice@example.org');
    expect(usernameClaim(claims, 'employee')).toBe('12345');
    expect(usernameClaim(claims, 'nested.empty')).toBeNull();
    expect(usernameClaim(claims, 'realm_access')).toBeNull();
    expect(usernameClaim(claims, 'absent')).toBeNull();
  });

  it('takes groups from a list (strings only, trimmed, once each) or a single string; missing is none', () => {
    expect(groupsClaim(claims, 'realm_access.roles')).toEqual(['cps-students', 'cpsHPCAccess']);
    expect(groupsClaim(claims, 'cognito:groups')).toEqual(['single-group']);
    expect(groupsClaim(claims, 'nested.list')).toEqual(['a', 'b']);
    expect(groupsClaim(claims, 'groups')).toEqual([]);
    expect(groupsClaim(claims, 'employee')).toEqual([]);
  });
});
