import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { commandArgv, checkCommandDir, isSchedulerProgram, SCHEDULER_PROGRAMS, shellCommandLine, shellQuote, type ArgvOptions } from './argv';
import { CommandRefusedError, type SchedulerCommand, type SchedulerProgram } from './types';

const SUDO: ArgvOptions = { sudo: true, commandDir: '/usr/bin', self: 'hubop' };
const DIRECT: ArgvOptions = { sudo: false, commandDir: '/opt/slurm/bin', self: 'alice' };

/** Words a user could try to smuggle a second command, a comment or an expansion through. */
const NASTY: readonly string[] = [
  '; rm -rf /',
  '$(id -u)',
  '`id -u`',
  'line one\nline two',
  '\n#SBATCH --uid=0\n',
  "'",
  "a'b'c",
  "' ; touch /tmp/pwned ; '",
  '"',
  '"$HOME"',
  '$HOME',
  '${PATH}',
  '#comment',
  '*',
  '/*',
  '?',
  '[a-z]',
  '~',
  '~root',
  '{a,b}',
  '!!',
  '\\',
  '\\n',
  '|',
  '&&',
  '>/tmp/x',
  '<(id)',
  '',
  ' ',
  '\t',
  '\r',
  '-n',
  '--',
  'é ü 日本 🎉',
  '\x01\x1b[31m',
  'x'.repeat(5000),
];

/** Runs `printf '%s\0' <words>` through a real shell with the words as {@link shellCommandLine} quotes them. */
function throughShell(shell: string, words: readonly string[]): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\000' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
  const parts = out.split('\0');
  expect(parts.pop()).toBe('');
  return parts;
}

function cmd(program: string, args: readonly string[] = [], extra: Partial<SchedulerCommand> = {}): SchedulerCommand {
  return { program: program as SchedulerProgram, args, ...extra };
}

describe('commandArgv', () => {
  it('runs the program from the command folder with its arguments', () => {
    expect(commandArgv(cmd('squeue', ['--noheader', '-j', '12']), SUDO)).toEqual(['/usr/bin/squeue', '--noheader', '-j', '12']);
    expect(commandArgv(cmd('qstat', ['-f']), { ...SUDO, commandDir: '' })).toEqual(['qstat', '-f']);
    expect(commandArgv(cmd('sinfo'), { ...SUDO, commandDir: '/opt/slurm/bin/' })).toEqual(['/opt/slurm/bin/sinfo']);
  });

  it('goes through sudo -n -u <account> -- when a user is asked for and sudo is on', () => {
    expect(commandArgv(cmd('sbatch', ['--parsable'], { asUser: 'alice' }), SUDO)).toEqual(['sudo', '-n', '-u', 'alice', '--', '/usr/bin/sbatch', '--parsable']);
  });

  it('without sudo, runs directly as its own account and refuses any other', () => {
    expect(commandArgv(cmd('scancel', ['7'], { asUser: 'alice' }), DIRECT)).toEqual(['/opt/slurm/bin/scancel', '7']);
    expect(() => commandArgv(cmd('scancel', ['7'], { asUser: 'bob' }), DIRECT)).toThrow(/sudo is off and commands run as alice/);
  });

  it('accepts every scheduler program and nothing else', () => {
    for (const program of SCHEDULER_PROGRAMS) expect(commandArgv(cmd(program), SUDO)[0]).toBe(`/usr/bin/${program}`);
    for (const program of ['id', 'bash', 'sh', 'salloc', 'sudo', '../sbatch', 'sbatch; id', '/usr/bin/sbatch', 'SBATCH', ' sbatch', '']) {
      expect(isSchedulerProgram(program)).toBe(false);
      expect(() => commandArgv(cmd(program), SUDO)).toThrow(CommandRefusedError);
    }
  });

  it('refuses account names that are not plain Unix names, and root', () => {
    for (const user of ['', 'Alice', 'a b', '-u', '-alice', '#0', '#1022', 'alice;id', 'alice\n', '../alice', '1alice', 'a'.repeat(33), 'alice$', 'root']) {
      expect(() => commandArgv(cmd('squeue', [], { asUser: user }), SUDO)).toThrow(CommandRefusedError);
    }
    expect(commandArgv(cmd('squeue', [], { asUser: 'a_b-c9' }), SUDO)).toContain('a_b-c9');
  });

  it('refuses an argument with NUL or a lone surrogate, naming its position', () => {
    expect(() => commandArgv(cmd('squeue', ['-u', 'ali\0ce']), SUDO)).toThrow('argument 1 holds a NUL');
    expect(() => commandArgv(cmd('squeue', ['\ud800']), SUDO)).toThrow('argument 0 is not valid Unicode');
    expect(commandArgv(cmd('squeue', ['🎉']), SUDO)).toEqual(['/usr/bin/squeue', '🎉']);
  });

  it('passes nasty arguments through unchanged, one word each', () => {
    expect(commandArgv(cmd('sbatch', NASTY, { asUser: 'bob' }), SUDO)).toEqual(['sudo', '-n', '-u', 'bob', '--', '/usr/bin/sbatch', ...NASTY]);
  });
});

describe('checkCommandDir', () => {
  it('takes an absolute folder or nothing, and names the key otherwise', () => {
    expect(() => checkCommandDir('/usr/bin', 'k')).not.toThrow();
    expect(() => checkCommandDir('', 'k')).not.toThrow();
    expect(() => checkCommandDir('usr/bin', 'backends.hpc.commandDir')).toThrow(/^backends\.hpc\.commandDir must be an absolute folder/);
    expect(() => checkCommandDir('/usr/\0bin', 'k')).toThrow(/^k must be/);
  });
});

describe('shellQuote', () => {
  it('single-quotes every word and escapes quotes the POSIX way', () => {
    expect(shellQuote('abc')).toBe("'abc'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellCommandLine(['sudo', '-n', 'a b'])).toBe("'sudo' '-n' 'a b'");
  });

  const shells = ['/bin/sh', '/bin/bash', '/bin/dash'].filter((s) => existsSync(s));
  it.each(shells)('%s receives every nasty word byte-exact as one argument', (shell) => {
    expect(throughShell(shell, NASTY)).toEqual(NASTY);
  });
});
