import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secureDataDir } from './data-dir';

describe('secureDataDir', () => {
  let root = '';
  const umask = process.umask();
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'clusterhub-datadir-'));
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('makes the folder 0700 and the files in it 0600, down to the server logs', () => {
    const data = join(root, 'data');
    mkdirSync(join(data, 'logs', 'alice'), { recursive: true, mode: 0o755 });
    writeFileSync(join(data, 'clusterhub.sqlite'), '', { mode: 0o644 });
    writeFileSync(join(data, 'logs', 'alice', 'default.log'), '', { mode: 0o644 });
    chmodSync(data, 0o755);
    secureDataDir(data);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    expect(statSync(join(data, 'logs', 'alice')).mode & 0o777).toBe(0o700);
    expect(statSync(join(data, 'clusterhub.sqlite')).mode & 0o777).toBe(0o600);
    expect(statSync(join(data, 'logs', 'alice', 'default.log')).mode & 0o777).toBe(0o600);
  });

  it('creates a missing folder and sets umask 077 for what the hub writes later', () => {
    const data = join(root, 'new', 'data');
    secureDataDir(data);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    writeFileSync(join(data, 'later'), 'x');
    expect(statSync(join(data, 'later')).mode & 0o777).toBe(0o600);
  });
});
