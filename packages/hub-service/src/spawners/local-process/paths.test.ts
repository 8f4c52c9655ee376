import { expandWorkDir, logFilePath } from './paths';

const vars = (username: string) => ({ username, account: 'acct', home: '/home/acct' });

describe('expandWorkDir', () => {
  it('replaces every {username}', () => {
    expect(expandWorkDir('/srv/{username}/work-{username}', vars('alice'))).toBe('/srv/alice/work-alice');
  });

  it('replaces {account} and {home}', () => {
    expect(expandWorkDir('{home}', vars('Alice'))).toBe('/home/acct');
    expect(expandWorkDir('/scratch/{account}', vars('Alice'))).toBe('/scratch/acct');
  });

  it.each(['', '.', '..', 'a/b', '../etc', 'a\0b'])('refuses the user name %j in {username}', (name) => {
    expect(() => expandWorkDir('/srv/{username}', vars(name))).toThrow(/cannot name a working folder/);
  });

  it('does not check the user name when the template does not use it', () => {
    expect(expandWorkDir('{home}', vars('../x'))).toBe('/home/acct');
  });

  it('accepts names with dots, @ and spaces inside a single segment', () => {
    expect(expandWorkDir('/srv/{username}', vars('a.b@example.org'))).toBe('/srv/a.b@example.org');
    expect(expandWorkDir('/srv/{username}', vars('..x'))).toBe('/srv/..x');
  });
});

describe('logFilePath', () => {
  it('names the default server default.log and sanitises named servers, under the hub log folder', () => {
    expect(logFilePath('/data/logs', 'alice', '')).toBe('/data/logs/alice/default.log');
    expect(logFilePath('/data/logs', 'alice', 'gpu-1')).toBe('/data/logs/alice/gpu-1.log');
    expect(logFilePath('/data/logs', 'alice', 'a b/ü')).toBe('/data/logs/alice/a_b__.log');
  });

  it('maps user names that are not safe path segments', () => {
    const p = logFilePath('/data/logs', '../../etc', '');
    expect(p.startsWith('/data/logs/')).toBe(true);
    expect(p).not.toContain('..');
  });
});
