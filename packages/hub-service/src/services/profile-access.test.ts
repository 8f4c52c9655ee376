import { describe, expect, it } from '@jest/globals';
import type { ProfileConfig } from '@clusterhub/shared';
import { HubError } from '../errors';
import { checkProfileAccess, profileAccess } from './profile-access';

const profile = (groups: string[]): ProfileConfig => ({ slug: 'gpu', displayName: 'GPU', kind: 'gpu', groups });

describe('profileAccess', () => {
  it('allows everyone when the profile lists no groups, members of a listed group, and admins', () => {
    expect(profileAccess(profile([]), { name: 'a', admin: false, groups: [] })).toEqual({ allowed: true });
    expect(profileAccess(profile(['hpc']), { name: 'a', admin: false, groups: ['x', 'hpc'] })).toEqual({ allowed: true });
    expect(profileAccess(profile(['hpc']), { name: 'a', admin: true, groups: [] })).toEqual({ allowed: true });
  });

  it('names the group, or the groups, a refused user needs', () => {
    expect(profileAccess(profile(['hpc']), { name: 'a', admin: false, groups: ['students'] })).toEqual({ allowed: false, reason: 'needs group hpc' });
    expect(profileAccess(profile(['hpc', 'admins']), { name: 'a', admin: false, groups: [] })).toEqual({ allowed: false, reason: 'needs one of the groups hpc, admins' });
  });

  it('checkProfileAccess throws profile_forbidden naming user, profile and groups', () => {
    let caught: unknown;
    try {
      checkProfileAccess(profile(['hpc']), { name: 'sam', admin: false, groups: [] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HubError);
    expect((caught as HubError).code).toBe('profile_forbidden');
    expect((caught as HubError).message).toBe('sam may not use profile gpu: it needs group hpc.');
    expect(() => checkProfileAccess(profile(['hpc']), { name: 'h', admin: false, groups: ['hpc'] })).not.toThrow();
  });
});
