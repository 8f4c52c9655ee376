import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LocalCommandRunner } from './local-runner';
import { CommandRefusedError, SchedulerUnreachableError } from './types';

/** A folder with a `squeue` that prints its arguments, one a line, then its input, and exits 4; and a `sinfo` that never ends. */
function programs(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'clusterhub-local-runner-'));
  writeFileSync(path.join(dir, 'squeue'), '#!/bin/sh\nprintf \'%s\\n\' "$@"\ncat\necho done >&2\nexit 4\n', { mode: 0o755 });
  writeFileSync(path.join(dir, 'sinfo'), '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
  return dir;
}

describe('LocalCommandRunner without sudo', () => {
  let dir: string;
  beforeAll(() => {
    dir = programs();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the program without a shell, feeds its input and reports a non-zero exit as a result', async () => {
    const runner = new LocalCommandRunner({ sudo: false, commandDir: dir });
    const result = await runner.run({ program: 'squeue', args: ['$(id)', 'a b', ';'], stdin: 'line\n' });
    expect(result).toEqual({ code: 4, stdout: '$(id)\na b\n;\nline\n', stderr: 'done\n', host: 'local' });
  });

  it('kills a program that outlives its timeout and reports the outcome unknown', async () => {
    const runner = new LocalCommandRunner({ sudo: false, commandDir: dir });
    await expect(runner.run({ program: 'sinfo', args: [], timeoutMs: 200 })).rejects.toThrow(SchedulerUnreachableError);
  });

  it('reports a program that cannot be started as unreachable, and refuses runs once closed', async () => {
    const runner = new LocalCommandRunner({ sudo: false, commandDir: path.join(dir, 'missing') });
    await expect(runner.run({ program: 'squeue', args: [] })).rejects.toThrow(/^cannot run .*missing\/squeue: spawn .* ENOENT/);
    await runner.close();
    await expect(runner.run({ program: 'squeue', args: [] })).rejects.toThrow(CommandRefusedError);
  });
});
