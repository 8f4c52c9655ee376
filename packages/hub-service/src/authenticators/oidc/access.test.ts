import { decideAccess, type AccessRules } from './access';

const seed: AccessRules = {
  allowAll: false,
  allowedUsers: [],
  allowedGroups: ['cps-students', 'cpsHPCAccess'],
  adminGroups: ['jupyter_admin'],
};

describe('decideAccess (the seed matrix: who logs in, who is admin)', () => {
  it.each([
    [['cps-students'], { allowed: true, admin: false }],
    [['cpsHPCAccess'], { allowed: true, admin: false }],
    [['jupyter_admin'], { allowed: true, admin: true }],
    [['cps-students', 'jupyter_admin'], { allowed: true, admin: true }],
  ])('groups %j → %j', (groups, expected) => {
    expect(decideAccess(seed, 'u', groups)).toEqual(expected);
  });

  it('refuses a user in no allowed group, naming the groups that would let them in and theirs', () => {
    const none = decideAccess(seed, 'nobody', []);
    expect(none).toMatchObject({ allowed: false, reason: 'not allowed (groups: none)' });
    expect(none.allowed ? '' : none.message).toBe(
      'Your account nobody is not allowed on this hub: it is open to members of cps-students, cpsHPCAccess, jupyter_admin (you are in no group). Ask your administrator for access.',
    );
    const other = decideAccess(seed, 'x', ['staff']);
    expect(other.allowed ? '' : other.message).toContain('(your groups: staff)');
  });

  it('lets allowed users in by name and everyone with allowAll; admin is left alone without admin groups', () => {
    const byName: AccessRules = { allowAll: false, allowedUsers: ['carol'], allowedGroups: [], adminGroups: [] };
    expect(decideAccess(byName, 'carol', [])).toEqual({ allowed: true });
    expect(decideAccess(byName, 'dave', []).allowed).toBe(false);
    expect(decideAccess({ ...byName, allowAll: true }, 'dave', [])).toEqual({ allowed: true });
    expect(decideAccess({ ...seed, allowAll: true }, 'dave', [])).toEqual({ allowed: true, admin: false });
  });
});
