/**
 * A failed batch job's output tail is read as the job's account, never as the hub: a link the user
 * planted at the output path cannot make the root hub show another file. Root only (runuser), as CI runs.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, symlinkSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { localOutputTail } from '../src/spawners/batch/output-tail';

const AS_ROOT = process.getuid?.() === 0;

(AS_ROOT ? describe : describe.skip)('localOutputTail (as the job user)', () => {
  const user = 'bob';
  let home = '';
  const made: string[] = [];

  beforeAll(() => {
    try {
      execFileSync('id', [user]);
    } catch {
      execFileSync('useradd', ['-m', user]);
    }
    home = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).split(':')[5] ?? '';
  });
  afterAll(() => {
    for (const f of made) rmSync(f, { force: true });
  });

  it("returns the last lines of the user's own output file", async () => {
    const file = join(home, 'clusterhub-tail-test.log');
    made.push(file);
    writeFileSync(file, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
    chownSync(file, uid, uid);
    const tail = await localOutputTail(user, file, 3);
    expect(tail).toBe('line 28\nline 29\nline 30\n');
  });

  it('a planted link to a file only root may read gives nothing', async () => {
    const link = join(home, 'clusterhub-tail-link.log');
    made.push(link);
    symlinkSync('/etc/shadow', link);
    expect(await localOutputTail(user, link)).toBeNull();
  });
});
