import {
  DEFAULT_ROLES,
  SCOPE_TABLE,
  expandScopes,
  formatScope,
  hasScope,
  holdsScopeBase,
  identifyScopes,
  intersectScopes,
  parseScope,
  scopeFilter,
  serverAccessScopes,
  validateScopes,
} from './scopes';

const sorted = (s: Iterable<string>): string[] => [...s].sort();

describe('SCOPE_TABLE', () => {
  it('only implies scopes that are in the table', () => {
    for (const [name, entry] of Object.entries(SCOPE_TABLE)) {
      expect(entry.description.length).toBeGreaterThan(0);
      for (const child of entry.implies) expect({ name, child, known: child in SCOPE_TABLE }).toEqual({ name, child, known: true });
    }
  });

  it('has no cycles (every expansion terminates with a finite set)', () => {
    for (const name of Object.keys(SCOPE_TABLE)) expect(expandScopes([name]).size).toBeLessThan(Object.keys(SCOPE_TABLE).length + 1);
  });

  it.each([
    'read:users:shares',
    'users:shares',
    'read:shares',
    'shares',
    'read:groups:shares',
    'groups:shares',
    'read:metrics',
    'admin-ui',
    'shutdown',
    'proxy',
    'read:hub',
    'access:services',
    'read:roles',
    'read:roles:users',
    'read:roles:services',
    'read:roles:groups',
    'start:servers',
    'admin:server_state',
    'admin:auth_state',
    'read:groups:name',
    'read:services:name',
  ])('contains %s', (name) => {
    expect(SCOPE_TABLE[name]).toBeDefined();
  });

  it('default roles only use known scopes or metascopes', () => {
    for (const scopes of Object.values(DEFAULT_ROLES)) expect(validateScopes(scopes)).toEqual({ ok: true });
    expect(DEFAULT_ROLES.user).toEqual(['self']);
    expect(DEFAULT_ROLES.token).toEqual(['inherit']);
    expect(DEFAULT_ROLES.server).toEqual(['users:activity!user', 'access:servers!server']);
  });
});

describe('parseScope / formatScope', () => {
  it.each([
    ['read:users', { base: 'read:users' }],
    ['read:users!user', { base: 'read:users', kind: 'user' }],
    ['read:users!user=alice', { base: 'read:users', kind: 'user', value: 'alice' }],
    ['access:servers!server=alice/', { base: 'access:servers', kind: 'server', value: 'alice/' }],
    ['access:servers!server=alice/gpu', { base: 'access:servers', kind: 'server', value: 'alice/gpu' }],
    ['read:groups!group=physics', { base: 'read:groups', kind: 'group', value: 'physics' }],
    ['read:services!service', { base: 'read:services', kind: 'service' }],
    // Names JupyterHub accepts: spaces, `!`, `=`, `+`, `:` and non-ASCII letters in filter values.
    ['read:users!user=ann smith', { base: 'read:users', kind: 'user', value: 'ann smith' }],
    ['read:users!user=a!b', { base: 'read:users', kind: 'user', value: 'a!b' }],
    ['access:servers!server=ann+lab@uni.example/', { base: 'access:servers', kind: 'server', value: 'ann+lab@uni.example/' }],
    ['read:groups!group=unit:physics', { base: 'read:groups', kind: 'group', value: 'unit:physics' }],
    ['read:users!user=zoë', { base: 'read:users', kind: 'user', value: 'zoë' }],
  ])('round-trips %s', (text, parsed) => {
    expect(parseScope(text)).toEqual(parsed);
    expect(formatScope(parsed as Parameters<typeof formatScope>[0])).toBe(text);
  });

  it.each(['', '!user=a', 'read:users!', 'read:users!nonsense=x', 'read:users!user=', 'read:users!group',
    'access:servers!server=alice', 'access:servers!server=a/b/c', 'read:users!user=a/b', 'read:users!user=a\nb', 'read:users!user=a\u0000b'])(
    'rejects %j',
    (text) => {
      expect(parseScope(text)).toBeNull();
    },
  );
});

describe('validateScopes', () => {
  it('accepts known scopes, metascopes and filters', () => {
    expect(
      validateScopes(['self', 'inherit', 'read:users!user', 'servers!server=bob/', 'read:groups!group=g', 'read:services!service=x', 'admin-ui']),
    ).toEqual({ ok: true });
    expect(validateScopes([])).toEqual({ ok: true });
  });

  it("rejects 'all' with a hint to use inherit", () => {
    const result = validateScopes(['all']);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.invalid).toEqual(['all']);
      expect(result.message).toContain('inherit');
    }
  });

  it('lists every invalid scope', () => {
    const result = validateScopes(['bogus', 'read:users', 'read:users!nonsense=x', 'self!user=alice', 'read:users!group']);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.invalid).toEqual(['bogus', 'read:users!nonsense=x', 'self!user=alice', 'read:users!group']);
      expect(result.message).toContain('bogus');
      expect(result.message).not.toContain('inherit');
    }
  });
});

describe('expandScopes', () => {
  it('expands the admin role transitively', () => {
    const admin = expandScopes(DEFAULT_ROLES.admin);
    for (const s of ['delete:servers', 'read:users:activity', 'start:servers', 'admin:auth_state', 'read:users:name',
      'list:users', 'read:roles:users', 'read:groups:name', 'read:services:name', 'read:shares', 'read:users:shares',
      'read:groups:shares', 'read:tokens', 'admin:server_state', 'delete:groups', 'delete:users', 'access:servers', 'read:metrics'])
      expect(admin.has(s)).toBe(true);
    for (const s of admin) expect(s).not.toContain('!');
  });

  it('expands self for alice with the !user filter on every implied scope', () => {
    const scopes = expandScopes(['self'], { user: 'alice' });
    for (const s of ['servers', 'start:servers', 'delete:servers', 'read:servers', 'read:users', 'read:users:name',
      'read:users:activity', 'users:activity', 'tokens', 'read:tokens', 'access:servers', 'users:shares', 'read:users:shares', 'read:shares'])
      expect(scopes.has(`${s}!user=alice`)).toBe(true);
    for (const s of scopes) expect(s.endsWith('!user=alice')).toBe(true);
    expect(scopes.has('servers')).toBe(false);
  });

  it('drops self when there is no user owner', () => {
    expect(expandScopes(['self'])).toEqual(new Set());
    expect(expandScopes(['self'], { service: 'culler' })).toEqual(new Set());
  });

  it('returns inherit as-is', () => {
    expect(sorted(expandScopes(['inherit', 'read:hub'], { user: 'alice' }))).toEqual(['inherit', 'read:hub']);
  });

  it("gives the culler's minimal scope set what it needs", () => {
    const culler = expandScopes(['list:users', 'read:users:activity', 'read:servers', 'delete:servers'], { service: 'idle-culler' });
    expect(sorted(culler)).toEqual(['delete:servers', 'list:users', 'read:servers', 'read:users:activity', 'read:users:name']);
    expect(hasScope(culler, 'delete:servers', { user: 'bob', server: '' })).toBe(true);
    expect(hasScope(culler, 'delete:users', { user: 'bob' })).toBe(false);
    expect(scopeFilter(culler, 'list:users')).toBe('all');
  });

  it('expands the server role for alice/gpu', () => {
    const server = expandScopes(DEFAULT_ROLES.server, { user: 'alice', server: 'gpu' });
    expect(sorted(server)).toEqual([
      'access:servers!server=alice/gpu',
      'read:users:activity!user=alice',
      'users:activity!user=alice',
    ]);
  });

  it('fills the bare server filter with the default server', () => {
    expect(sorted(expandScopes(['access:servers!server'], { user: 'alice' }))).toEqual(['access:servers!server=alice/']);
  });

  it('fills !service from the owner and drops bare filters the owner cannot fill', () => {
    expect(sorted(expandScopes(['read:services!service'], { service: 'grafana' }))).toEqual([
      'read:services!service=grafana',
      'read:services:name!service=grafana',
    ]);
    expect(expandScopes(['read:services!service'], { user: 'alice' })).toEqual(new Set());
    expect(expandScopes(['read:users!user'], { service: 'grafana' })).toEqual(new Set());
    expect(expandScopes(['read:users!user'])).toEqual(new Set());
  });

  it('keeps explicit filters regardless of the owner', () => {
    expect(expandScopes(['read:users!user=bob'], { user: 'alice' }).has('read:users:name!user=bob')).toBe(true);
  });

  it('does not apply read:servers → read:users:name under a !server filter', () => {
    expect(sorted(expandScopes(['servers!server=alice/gpu']))).toEqual([
      'delete:servers!server=alice/gpu',
      'read:servers!server=alice/gpu',
      'servers!server=alice/gpu',
      'start:servers!server=alice/gpu',
    ]);
    expect(expandScopes(['read:servers!user=alice']).has('read:users:name!user=alice')).toBe(true);
    expect(expandScopes(['read:servers!group=g']).has('read:users:name!group=g')).toBe(true);
  });

  it('lets an unfiltered scope absorb filtered copies, and !user absorb !server of that user', () => {
    const both = expandScopes(['self', 'admin:servers'], { user: 'alice' });
    expect(both.has('servers')).toBe(true);
    expect(both.has('servers!user=alice')).toBe(false);
    expect(both.has('read:users!user=alice')).toBe(true);
    expect(sorted(expandScopes(['access:servers!server=alice/x', 'access:servers!user=alice', 'access:servers!server=bob/']))).toEqual([
      'access:servers!server=bob/',
      'access:servers!user=alice',
    ]);
  });

  it('drops unknown and malformed scopes', () => {
    expect(expandScopes(['bogus', 'read:users!nonsense=x', 'all'])).toEqual(new Set());
  });

  it('accepts any iterable', () => {
    expect(expandScopes(new Set(['read:hub']))).toEqual(new Set(['read:hub']));
  });
});

describe('intersectScopes', () => {
  const s = (...x: string[]): Set<string> => new Set(x);

  it('unfiltered ∩ filtered = filtered, in both orders', () => {
    expect(sorted(intersectScopes(s('read:users'), s('read:users!user=alice')))).toEqual(['read:users!user=alice']);
    expect(sorted(intersectScopes(s('read:users!user=alice'), s('read:users')))).toEqual(['read:users!user=alice']);
  });

  it('keeps unfiltered when both are unfiltered and drops bases on one side only', () => {
    expect(sorted(intersectScopes(s('read:users', 'proxy'), s('read:users', 'shutdown')))).toEqual(['read:users']);
  });

  it('!user=u ∩ !server=u/s = !server=u/s; other users give nothing', () => {
    expect(sorted(intersectScopes(s('access:servers!user=alice'), s('access:servers!server=alice/gpu')))).toEqual([
      'access:servers!server=alice/gpu',
    ]);
    expect(sorted(intersectScopes(s('access:servers!server=alice/gpu'), s('access:servers!user=alice')))).toEqual([
      'access:servers!server=alice/gpu',
    ]);
    expect(intersectScopes(s('access:servers!user=bob'), s('access:servers!server=alice/gpu'))).toEqual(new Set());
  });

  it('keeps equal filters and drops different ones of the same kind', () => {
    expect(sorted(intersectScopes(s('servers!user=alice'), s('servers!user=alice', 'servers!user=bob')))).toEqual(['servers!user=alice']);
    expect(intersectScopes(s('access:servers!server=alice/'), s('access:servers!server=alice/gpu'))).toEqual(new Set());
    expect(intersectScopes(s('read:services!service=a'), s('read:services!service=b'))).toEqual(new Set());
  });

  it('resolves !group ∩ !user (and !server) through the membership resolver', () => {
    const groups = (u: string): readonly string[] => (u === 'alice' ? ['physics'] : []);
    expect(sorted(intersectScopes(s('read:users!group=physics'), s('read:users!user=alice', 'read:users!user=bob'), groups))).toEqual([
      'read:users!user=alice',
    ]);
    expect(sorted(intersectScopes(s('read:users!user=alice'), s('read:users!group=physics'), groups))).toEqual(['read:users!user=alice']);
    expect(sorted(intersectScopes(s('servers!group=physics'), s('servers!server=alice/x', 'servers!server=bob/'), groups))).toEqual([
      'servers!server=alice/x',
    ]);
    expect(intersectScopes(s('read:users!group=physics'), s('read:users!user=alice'))).toEqual(new Set());
  });

  it('never mixes service filters with user filters', () => {
    expect(intersectScopes(s('read:users!service=a'), s('read:users!user=a'))).toEqual(new Set());
  });

  it('de-duplicates so an unfiltered result absorbs filtered copies', () => {
    const a = s('read:users', 'read:users!user=alice');
    const b = s('read:users', 'read:users!user=bob');
    expect(sorted(intersectScopes(a, b))).toEqual(['read:users']);
  });

  it('drops token scopes the owner does not hold', () => {
    const owner = expandScopes(DEFAULT_ROLES.user, { user: 'alice' });
    const token = expandScopes(['access:servers!server', 'read:users:name!user', 'read:users:groups!user', 'proxy', 'delete:users'], { user: 'alice' });
    expect(sorted(intersectScopes(token, owner))).toEqual([
      'access:servers!server=alice/',
      'read:users:groups!user=alice',
      'read:users:name!user=alice',
    ]);
  });

  it('gives an admin-owned identify token only filtered identify scopes', () => {
    const owner = expandScopes([...DEFAULT_ROLES.user, ...DEFAULT_ROLES.admin], { user: 'root' });
    const token = expandScopes([...identifyScopes('root'), ...serverAccessScopes('alice', '')]);
    // !user=alice absorbs !server=alice/ after the intersection.
    expect(sorted(intersectScopes(owner, token))).toEqual([
      'access:servers!user=alice',
      'read:users:groups!user=root',
      'read:users:name!user=root',
    ]);
  });
});

describe('hasScope', () => {
  const held = new Set([
    'read:hub',
    'servers!user=alice',
    'access:servers!server=bob/gpu',
    'read:users!group=physics',
    'read:services!service=grafana',
  ]);

  it('unfiltered allows any resource and no resource', () => {
    expect(hasScope(held, 'read:hub')).toBe(true);
    expect(hasScope(held, 'read:hub', { user: 'x' })).toBe(true);
  });

  it('filtered scopes need a resource', () => {
    expect(hasScope(held, 'servers')).toBe(false);
  });

  it('!user=u covers the user and all of their servers', () => {
    expect(hasScope(held, 'servers', { user: 'alice' })).toBe(true);
    expect(hasScope(held, 'servers', { user: 'alice', server: '' })).toBe(true);
    expect(hasScope(held, 'servers', { user: 'alice', server: 'gpu' })).toBe(true);
    expect(hasScope(held, 'servers', { user: 'bob', server: '' })).toBe(false);
  });

  it('!server=u/s covers exactly that server', () => {
    expect(hasScope(held, 'access:servers', { user: 'bob', server: 'gpu' })).toBe(true);
    expect(hasScope(held, 'access:servers', { user: 'bob', server: '' })).toBe(false);
    expect(hasScope(held, 'access:servers', { user: 'bob' })).toBe(false);
    expect(hasScope(held, 'access:servers', { user: 'alice', server: 'gpu' })).toBe(false);
  });

  it('!group=g covers the group and its members', () => {
    expect(hasScope(held, 'read:users', { group: 'physics' })).toBe(true);
    expect(hasScope(held, 'read:users', { user: 'carol', userGroups: ['chem', 'physics'] })).toBe(true);
    expect(hasScope(held, 'read:users', { user: 'carol', userGroups: ['chem'] })).toBe(false);
    expect(hasScope(held, 'read:users', { user: 'carol' })).toBe(false);
  });

  it('!service=s covers that service only', () => {
    expect(hasScope(held, 'read:services', { service: 'grafana' })).toBe(true);
    expect(hasScope(held, 'read:services', { service: 'culler' })).toBe(false);
    expect(hasScope(held, 'read:services', { user: 'grafana' })).toBe(false);
  });

  it('does not confuse bases', () => {
    expect(hasScope(held, 'delete:servers', { user: 'alice' })).toBe(false);
  });

  it("self lets alice start and stop her servers but not bob's", () => {
    const alice = expandScopes(['self'], { user: 'alice' });
    expect(hasScope(alice, 'start:servers', { user: 'alice', server: 'gpu' })).toBe(true);
    expect(hasScope(alice, 'delete:servers', { user: 'alice', server: '' })).toBe(true);
    expect(hasScope(alice, 'start:servers', { user: 'bob', server: '' })).toBe(false);
    expect(hasScope(alice, 'list:users')).toBe(false);
  });
});

describe('holdsScopeBase', () => {
  it('is true for any filter of the base (404 rather than 403)', () => {
    const alice = expandScopes(['self'], { user: 'alice' });
    expect(holdsScopeBase(alice, 'read:servers')).toBe(true);
    expect(holdsScopeBase(alice, 'list:users')).toBe(false);
    expect(holdsScopeBase(new Set(['proxy']), 'proxy')).toBe(true);
    expect(holdsScopeBase(new Set(['read:users:name']), 'read:users')).toBe(false);
  });
});

describe('scopeFilter', () => {
  it("returns 'all' for unfiltered", () => {
    expect(scopeFilter(new Set(['read:users', 'read:users!user=a']), 'read:users')).toBe('all');
  });

  it('collects the allowed users, servers, groups and services', () => {
    const filter = scopeFilter(
      new Set(['read:users!user=a', 'read:users!server=b/x', 'read:users!group=g', 'read:users!service=s', 'read:servers!user=z']),
      'read:users',
    );
    expect(filter).not.toBe('all');
    if (filter !== 'all') {
      expect(sorted(filter.users)).toEqual(['a']);
      expect(sorted(filter.servers)).toEqual(['b/x']);
      expect(sorted(filter.groups)).toEqual(['g']);
      expect(sorted(filter.services)).toEqual(['s']);
    }
  });

  it('is empty when nothing matches', () => {
    const filter = scopeFilter(new Set(['proxy']), 'read:users');
    expect(filter).toEqual({ users: new Set(), servers: new Set(), groups: new Set(), services: new Set() });
  });
});

describe('serverAccessScopes / identifyScopes', () => {
  it('builds the access scopes a server requires', () => {
    expect(serverAccessScopes('alice', '')).toEqual(['access:servers!server=alice/', 'access:servers!user=alice']);
    expect(serverAccessScopes('alice', 'gpu')).toEqual(['access:servers!server=alice/gpu', 'access:servers!user=alice']);
    expect(validateScopes(serverAccessScopes('alice', 'gpu'))).toEqual({ ok: true });
  });

  it('builds the identify scopes', () => {
    expect(identifyScopes('alice')).toEqual(['read:users:name!user=alice', 'read:users:groups!user=alice']);
  });
});
