import { execFileSync } from 'node:child_process';
import { directiveLine, renderBatchJobScript, USER_SCRIPT_MARKER } from './batch-job-script';
import { resolveJobSpec } from '../job-spec';
import type { ProfileConfig } from '@clusterhub/shared';

const profile: ProfileConfig = {
  slug: 'p',
  displayName: 'P',
  kind: 'cpu',
  backend: 'hpc',
  resources: { cpu: { limit: 2 }, memory: { limit: '1Gi' }, walltime: '00:20:00' },
  slurm: { partition: 'cpu', prologue: ['module load python'], choices: { account: ['chem'] } },
};
const ctx = { jobName: 'batch', user: 'alice', home: '/home/alice', output: 'slurm-%j.out', path: '/usr/bin:/bin' };

describe('directiveLine', () => {
  it('finds #SBATCH and #PBS lines in any case and spacing, 1-based, across line endings', () => {
    expect(directiveLine('echo a\n#SBATCH --uid=0')).toEqual({ line: 2, text: '#SBATCH --uid=0' });
    expect(directiveLine('  # sbatch -A x')).toEqual({ line: 1, text: '  # sbatch -A x' });
    expect(directiveLine('a\r\nb\r#PBS -q x')).toEqual({ line: 3, text: '#PBS -q x' });
    expect(directiveLine('a\n\t#Sbatch\t-p gpu')?.line).toBe(2);
  });

  it('leaves comments, strings and words that only contain the letters alone', () => {
    expect(directiveLine('# run it\necho "#SBATCH is ignored here"\n#SBATCHED\nsbatch --wrap=x\n#!/bin/bash')).toBeNull();
  });
});

describe('renderBatchJobScript', () => {
  const spec = resolveJobSpec(profile, { account: 'chem' });

  it('puts the hub directives first, then the environment reset and prologue, then the user lines after the marker', () => {
    const script = renderBatchJobScript(spec, ctx, 'echo hello\r\nsleep 1\n\n');
    const lines = script.split('\n');
    expect(lines[0]).toBe('#!/bin/bash');
    expect(lines).toEqual(expect.arrayContaining(['#SBATCH --job-name=batch', '#SBATCH --partition=cpu', '#SBATCH --account=chem', '#SBATCH --time=00:20:00', '#SBATCH --cpus-per-task=2', '#SBATCH --mem=1024M', '#SBATCH --chdir=/home/alice', '#SBATCH --output=slurm-%j.out', '#SBATCH --export=NONE']));
    const marker = lines.indexOf(USER_SCRIPT_MARKER);
    expect(lines.slice(marker + 1)).toEqual(['echo hello', 'sleep 1', '']);
    expect(lines.indexOf('module load python')).toBeLessThan(marker);
    expect(lines.findIndex((l) => l.startsWith('export PATH='))).toBeLessThan(marker);
    // Every directive comes before the first command: Slurm reads all of them and none after.
    const firstCommand = lines.findIndex((l, i) => i > 0 && l.trim() !== '' && !l.startsWith('#'));
    expect(lines.slice(firstCommand).some((l) => l.startsWith('#SBATCH'))).toBe(false);
  });

  it('refuses a directive or NUL in the user lines', () => {
    expect(() => renderBatchJobScript(spec, ctx, 'echo\n#SBATCH -A physics')).toThrow(/line 2/);
    expect(() => renderBatchJobScript(spec, ctx, 'echo \0')).toThrow(/NUL/);
  });

  it('is a bash script bash can parse', () => {
    const script = renderBatchJobScript(spec, ctx, 'for i in 1 2; do echo "$i"; done');
    expect(() => execFileSync('bash', ['-n'], { input: script })).not.toThrow();
  });
});
