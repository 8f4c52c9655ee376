import { expandWorkDir, logFilePath } from './paths';

describe('expandWorkDir', () => {
  it('replaces every {username}', () => {
    expect(expandWorkDir('/srv/{username}/work-{username}', 'alice')).toBe('/srv/alice/work-alice');
  });

  it.each(['', '.', '..', 'a/b', '../etc', 'a\0b'])('refuses the user name %j', (name) => {
    expect(() => expandWorkDir('/srv/{username}', name)).toThrow(/cannot name a working folder/);
  });

  it('accepts names with dots, @ and spaces inside a single segment', () => {
    expect(expandWorkDir('/srv/{username}', 'a.b@example.org')).toBe('/srv/a.b@example.org');
    expect(expandWorkDir('/srv/{username}', '..x')).toBe('/srv/..x');
  });
});

describe('logFilePath', () => {
  it('names the default server default.log and sanitises named servers', () => {
    expect(logFilePath('/srv/alice', '')).toBe('/srv/alice/.clusterhub/default.log');
    expect(logFilePath('/srv/alice', 'gpu-1')).toBe('/srv/alice/.clusterhub/gpu-1.log');
    expect(logFilePath('/srv/alice', 'a b/ü')).toBe('/srv/alice/.clusterhub/a_b__.log');
  });
});
