/**
 * scripts/stamp.sh, which lets `npm start` skip install steps whose inputs did not change: a step
 * runs when its inputs' contents changed (not their times), when its output is missing, or always
 * under CI=true / FORCE=1; otherwise it is skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const STAMP_SH = resolve(__dirname, '../../../scripts/stamp.sh');

/** A step as install.sh writes one: hash the inputs, skip when up to date, else "build" and mark. */
const STEP = `
set -euo pipefail
. "$STAMP_SH"
hash=$(inputs_hash src -- "extra $EXTRA")
if up_to_date demo "$hash" out.txt; then echo skipped; else cat src/*.ts > out.txt; mark_done demo "$hash"; echo ran; fi
`;

let dir: string;

function step(env: Record<string, string> = {}): string {
  return execFileSync('bash', ['-c', STEP], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', STAMP_SH, EXTRA: 'a', ...env },
    encoding: 'utf8',
  }).trim();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-stamps-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('install step stamps', () => {
  it('runs a step once, then skips it while nothing changed', () => {
    expect(step()).toBe('ran');
    expect(step()).toBe('skipped');
    expect(step()).toBe('skipped');
  });

  it('runs again when an input file changes, is added, or an extra key changes', () => {
    step();
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 2;\n');
    expect(step()).toBe('ran');
    writeFileSync(join(dir, 'src', 'b.ts'), 'export const b = 1;\n');
    expect(step()).toBe('ran');
    expect(step({ EXTRA: 'b' })).toBe('ran');
    expect(step({ EXTRA: 'b' })).toBe('skipped');
  });

  it('ignores a new modification time with the same contents (a fresh checkout)', () => {
    step();
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'src', 'a.ts'), later, later);
    expect(step()).toBe('skipped');
  });

  it('runs when the output is gone, and always under CI=true or FORCE=1', () => {
    step();
    rmSync(join(dir, 'out.txt'));
    expect(step()).toBe('ran');
    expect(step({ CI: 'true' })).toBe('ran');
    expect(step({ FORCE: '1' })).toBe('ran');
    expect(step()).toBe('skipped');
  });

  it('does not mark a step that failed', () => {
    const failing = STEP.replace('cat src/*.ts > out.txt;', 'touch out.txt; false;');
    expect(() => execFileSync('bash', ['-c', failing], { cwd: dir, env: { PATH: process.env.PATH ?? '', STAMP_SH, EXTRA: 'a' }, stdio: 'pipe' })).toThrow();
    expect(step()).toBe('ran');
  });
});
