import { describe, expect, it } from '@jest/globals';
import { chargeGroupOfForm } from '../web/charge-group-form';
import { batchChoices } from './batch-choices';
import { chargeGroupFields, chargeGroupInline } from './charge-group-select';

const GPU = { slug: 'gpu', displayName: 'GPU', allowed: true, chargeGroups: ['lab-a', 'lab-b'] };
const SOLO = { slug: 'solo', displayName: 'Solo', allowed: true, chargeGroups: ['lab-b'] };
const FORBIDDEN = { slug: 'big', displayName: 'Big', allowed: false, chargeGroups: ['lab-a', 'lab-b'] };

describe('the "charge to" selects of the start forms', () => {
  it('renders nothing when no profile gives a choice', () => {
    expect(chargeGroupFields([SOLO, FORBIDDEN, { slug: 'cpu', displayName: 'CPU', allowed: true }], { formId: 'f', selectId: 's' })).toBeNull();
    expect(chargeGroupInline(SOLO, 'x')).toBeNull();
    expect(chargeGroupInline(undefined, 'x')).toBeNull();
  });

  it('renders one select per profile with a choice, the preferred group selected, and the stylesheet showing the chosen profile’s', () => {
    const out = String(chargeGroupFields([GPU, SOLO, { ...GPU, slug: 'mig-1g.5gb', displayName: 'MIG' }], { formId: 'spawn-form', selectId: 'profile-select', preferred: 'lab-b' }));
    expect(out).toContain('<select name="charge_group-gpu" id="profile-select-charge-gpu"><option value="lab-a">lab-a</option><option value="lab-b" selected>lab-b</option></select>');
    expect(out).toContain('name="charge_group-mig-1g.5gb"');
    expect(out).not.toContain('charge_group-solo');
    expect(out).toContain('@supports selector(:has(a)) { #spawn-form .charge-group { display: none; }');
    expect(out).toContain('#spawn-form:has(#profile-select option[value="gpu"]:checked) .charge-group[data-profile="gpu"] { display: block; }');
    expect(out).toContain('option[value="mig-1g.5gb"]:checked');
  });

  it('preselects the first group when the preferred one is not listed, in the one-profile select', () => {
    expect(String(chargeGroupInline(GPU, 'charge-of-x', 'lab-z'))).toContain('<select name="charge_group" id="charge-of-x" class="charge-inline" title="Group charged"><option value="lab-a" selected>');
  });

  it("adds the select to a batch profile's own start form when there is a choice", () => {
    const batch = { backend: 'slurm', gres: null, free: null, fits: null, choices: { partition: ['gpu', 'debug'] } };
    expect(String(batchChoices([{ slug: 'gpu', displayName: 'GPU', batch, chargeGroups: ['lab-a', 'lab-b'] }], '/hub/spawn/u', 'x'))).toContain('<select name="charge_group" id="batch-gpu-charge-group">');
    expect(String(batchChoices([{ slug: 'gpu', displayName: 'GPU', batch, chargeGroups: ['lab-a'] }], '/hub/spawn/u', 'x'))).not.toContain('charge_group');
  });

  it("reads the submitted profile's select, else the plain field; empty is no choice", () => {
    expect(chargeGroupOfForm({ 'charge_group-gpu': 'lab-b', 'charge_group-small': 'lab-a' }, 'gpu')).toEqual({ charge_group: 'lab-b' });
    expect(chargeGroupOfForm({ charge_group: 'lab-a' }, 'gpu')).toEqual({ charge_group: 'lab-a' });
    expect(chargeGroupOfForm({ 'charge_group-small': 'lab-a' }, 'gpu')).toEqual({});
    expect(chargeGroupOfForm({ charge_group: '' }, undefined)).toEqual({});
    expect(chargeGroupOfForm({ charge_group: ['a', 'b'] }, 'gpu')).toEqual({ charge_group: ['a', 'b'] });
  });
});
