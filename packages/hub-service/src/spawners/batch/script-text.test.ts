import { environmentReset, execLine, jobName, serverIdOfJobName, shellQuote } from './script-text';

describe('jobName / serverIdOfJobName', () => {
  it('names a job after its server and reads the id back', () => {
    expect(jobName(42)).toBe('clusterhub-42');
    expect(jobName(7, 'hub2')).toBe('hub2-7');
    expect(serverIdOfJobName('clusterhub-42')).toBe(42);
    expect(serverIdOfJobName('hub2-7', 'hub2')).toBe(7);
  });
  it('refuses bad prefixes and ids, and reads only its own names', () => {
    expect(() => jobName(0)).toThrow(RangeError);
    expect(() => jobName(1.5)).toThrow(RangeError);
    expect(() => jobName(1, 'a b')).toThrow(RangeError);
    for (const other of ['clusterhub-', 'clusterhub-01', 'clusterhub-4x', 'clusterhubx-4', 'interactive', 'clusterhub-1-2']) {
      expect(serverIdOfJobName(other)).toBeNull();
    }
  });
});

describe('shellQuote / execLine / environmentReset', () => {
  it('single-quotes, with embedded quotes closed and reopened', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(execLine(['a b', '$x'])).toBe(`exec 'a b' '$x'`);
  });
  it('refuses newlines and bad kept names', () => {
    expect(() => shellQuote('a\nb')).toThrow(RangeError);
    expect(() => environmentReset({ names: ['A;B'], prefixes: [] }, '/bin')).toThrow(RangeError);
  });
});
