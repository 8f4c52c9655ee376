import { describe, expect, it } from '@jest/globals';
import type { ProfileConfig } from '@clusterhub/shared';
import { HubError } from '../errors';
import { chargedGroup, chargeGroupOption, chargeGroups } from './ledger';

const GPU: ProfileConfig = { slug: 'gpu', displayName: 'GPU', kind: 'gpu', pricePerHour: 8, groups: ['lab-b', 'lab-a', 'lab-c'] };
const OPEN: ProfileConfig = { slug: 'cpu', displayName: 'CPU', kind: 'cpu', pricePerHour: 0.1 };

function refusal(run: () => unknown): HubError {
  try {
    run();
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('the group a session is charged to', () => {
  it("lists the user's groups the profile lists, by name", () => {
    expect(chargeGroups(GPU, ['zeta', 'lab-b', 'lab-a', 'lab-a'])).toEqual(['lab-a', 'lab-b']);
    expect(chargeGroups(OPEN, ['lab-a'])).toEqual([]);
  });

  it('charges the first of them by name without a choice; none for an open profile', () => {
    expect(chargedGroup(GPU, ['lab-b', 'lab-a'])).toBe('lab-a');
    expect(chargedGroup(OPEN, ['lab-a'])).toBeNull();
    expect(chargedGroup(GPU, ['other'])).toBeNull();
  });

  it('charges a chosen group that is allowed', () => {
    expect(chargedGroup(GPU, ['lab-a', 'lab-b'], { group: 'lab-b', required: true })).toBe('lab-b');
    expect(chargedGroup(GPU, ['lab-a', 'lab-b'], { group: 'lab-b', required: false })).toBe('lab-b');
  });

  it('refuses a required choice that is not allowed, naming the allowed groups', () => {
    const err = refusal(() => chargedGroup(GPU, ['lab-a', 'lab-b', 'zeta'], { group: 'zeta', required: true }));
    expect(err.code).toBe('invalid_charge_group');
    expect(err.status).toBe(400);
    expect(err.message).toBe('Cannot charge group "zeta" for profile gpu: choose one of lab-a, lab-b.');
    expect(err.options.details).toEqual({ charge_group: 'zeta', profile: 'gpu', allowed: ['lab-a', 'lab-b'] });
    expect(refusal(() => chargedGroup(OPEN, ['lab-a'], { group: 'lab-a', required: true })).message).toBe('Cannot charge group "lab-a" for profile cpu: choose none of your groups.');
  });

  it('falls back to the default rule for a preference that is not allowed (a downshift)', () => {
    expect(chargedGroup(GPU, ['lab-c', 'lab-b'], { group: 'lab-a', required: false })).toBe('lab-b');
    expect(chargedGroup(OPEN, ['lab-a'], { group: 'lab-a', required: false })).toBeNull();
  });

  it('reads charge_group from user_options: absent or null is no choice, anything but a non-empty string is refused', () => {
    expect(chargeGroupOption({ profile: 'gpu' })).toBeNull();
    expect(chargeGroupOption({ charge_group: null })).toBeNull();
    expect(chargeGroupOption({ charge_group: 'lab-a' })).toBe('lab-a');
    for (const bad of ['', 5, ['lab-a'], { name: 'lab-a' }]) expect(refusal(() => chargeGroupOption({ charge_group: bad })).code).toBe('invalid_charge_group');
  });
});
