import { expandHostlist, MAX_HOSTLIST_NAMES } from './hostlist';

describe('Slurm host lists', () => {
  it('expands names, ranges with their zero padding, lists and several brackets', () => {
    expect(expandHostlist('vm')).toEqual(['vm']);
    expect(expandHostlist('gpu[01-03,07]')).toEqual(['gpu01', 'gpu02', 'gpu03', 'gpu07']);
    expect(expandHostlist('n1,gpu[8-10]')).toEqual(['n1', 'gpu8', 'gpu9', 'gpu10']);
    expect(expandHostlist('a[1-2]-ib[0-1]')).toEqual(['a1-ib0', 'a1-ib1', 'a2-ib0', 'a2-ib1']);
    expect(expandHostlist('node-1.cluster')).toEqual(['node-1.cluster']);
  });

  it('refuses what is not a host list', () => {
    for (const bad of ['', 'gpu[1-', 'gpu]1[', 'gpu[[1]]', 'gpu[3-1]', 'gpu[a-b]', 'a b', 'n1,,n2', 'n;id', `n[0-${MAX_HOSTLIST_NAMES}]`]) {
      expect(() => expandHostlist(bad)).toThrow(RangeError);
    }
  });
});
