import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import type { JobSpec } from '../job-spec';
import { dryRunArgs, parseDryRun, parseSbatchOutput, renderSbatchScript, sbatchArgs, type SbatchScriptContext } from './sbatch-script';

const spec: JobSpec = {
  partition: 'gpu',
  account: 'proj1',
  qos: 'normal',
  constraint: 'a100&ib',
  walltime: '04:00:00',
  walltimeSeconds: 14400,
  cpus: 4,
  memoryMiB: 16384,
  gres: 'gpu:a100:1',
  prologue: ['module load Python/3.11', 'echo "prologue ran"'],
};

const TOKEN = "tok'en$(id)`id`;\"x\"";
const ctx: SbatchScriptContext = {
  jobName: 'clusterhub-42',
  user: 'alice',
  home: '/home/alice',
  output: 'clusterhub-%j.log',
  path: '/opt/jupyter/bin:/usr/bin:/bin',
  env: { JUPYTERHUB_API_TOKEN: TOKEN, JUPYTERHUB_API_URL: 'http://hub:8081/hub/api', JUPYTERHUB_USER: 'alice' },
  cmd: ['batchspawner-singleuser', 'jupyterhub-singleuser', '--debug'],
};

describe('renderSbatchScript', () => {
  it('writes the directives, the reset, the prologue, the exports and exec without srun', () => {
    const script = renderSbatchScript(spec, ctx);
    const lines = script.split('\n');
    expect(lines[0]).toBe('#!/bin/bash');
    expect(lines.filter((l) => l.startsWith('#SBATCH'))).toEqual([
      '#SBATCH --job-name=clusterhub-42',
      '#SBATCH --partition=gpu',
      '#SBATCH --account=proj1',
      '#SBATCH --qos=normal',
      '#SBATCH --constraint=a100&ib',
      '#SBATCH --time=04:00:00',
      '#SBATCH --nodes=1',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --mem=16384M',
      '#SBATCH --gres=gpu:a100:1',
      '#SBATCH --chdir=/home/alice',
      '#SBATCH --output=clusterhub-%j.log',
      '#SBATCH --export=NONE',
    ]);
    expect(lines).toContain("export PATH='/opt/jupyter/bin:/usr/bin:/bin'");
    expect(lines).toContain('module load Python/3.11');
    expect(lines).toContain(`export JUPYTERHUB_API_TOKEN='tok'\\''en$(id)\`id\`;"x"'`);
    expect(lines.filter((l) => l.startsWith('exec '))).toEqual(["exec 'batchspawner-singleuser' 'jupyterhub-singleuser' '--debug'"]);
    expect(script).not.toMatch(/\bsrun\b/);
    // Directives come before the first command: sbatch stops reading #SBATCH at the first command.
    const firstCommand = lines.findIndex((l, i) => i > 0 && l !== '' && !l.startsWith('#'));
    expect(lines.slice(firstCommand).some((l) => l.startsWith('#SBATCH'))).toBe(false);
  });

  it('leaves out what the spec does not set', () => {
    const script = renderSbatchScript({ cpus: 1, prologue: [] }, ctx);
    expect(script).not.toMatch(/--partition|--account|--qos|--reservation|--constraint|--time|--mem|--gres|Prologue/);
  });

  it('is valid bash that resets the environment and keeps Slurm variables, the GPUs and the login', () => {
    const script = renderSbatchScript({ cpus: 1, prologue: ['export FROM_PROLOGUE=yes'] }, { ...ctx, path: process.env.PATH ?? '/usr/bin:/bin', home: homedir(), cmd: ['env'] });
    const out = execFileSync('bash', ['-s'], {
      input: script,
      env: { PATH: process.env.PATH, SECRET_OF_HUB: 'leak', LD_LIBRARY_PATH: '/evil', PYTHONPATH: '/x', SLURM_JOB_ID: '77', CUDA_VISIBLE_DEVICES: '2', HOME: '/home/alice', USER: 'alice', TMPDIR: '/tmp/77' },
      encoding: 'utf8',
    });
    const env = new Map(out.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env.get('SECRET_OF_HUB')).toBeUndefined();
    expect(env.get('LD_LIBRARY_PATH')).toBeUndefined();
    expect(env.get('PYTHONPATH')).toBeUndefined();
    expect(env.get('SLURM_JOB_ID')).toBe('77');
    expect(env.get('CUDA_VISIBLE_DEVICES')).toBe('2');
    expect(env.get('TMPDIR')).toBe('/tmp/77');
    expect(env.get('HOME')).toBe('/home/alice');
    expect(env.get('LOGNAME')).toBe('alice'); // not set by the caller: filled in
    expect(env.get('FROM_PROLOGUE')).toBe('yes');
    expect(env.get('JUPYTERHUB_API_TOKEN')).toBe(TOKEN); // quotes and $() arrive literally
  });

  it.each([
    ['a newline in an environment value', { ...ctx, env: { X: 'a\n#SBATCH --uid=0' } }],
    ['NUL in an environment value', { ...ctx, env: { X: 'a\u0000b' } }],
    ['a bad variable name', { ...ctx, env: { 'X;id': 'a' } }],
    ['a hub value for a variable Slurm sets', { ...ctx, env: { CUDA_VISIBLE_DEVICES: '0,1' } }],
    ['a hub SLURM_ variable', { ...ctx, env: { SLURM_JOB_ID: '1' } }],
    ['a hub PATH', { ...ctx, env: { PATH: '/tmp' } }],
    ['a newline in the command', { ...ctx, cmd: ['jupyterhub-singleuser\nid'] }],
    ['an empty command', { ...ctx, cmd: [] }],
    ['a relative home', { ...ctx, home: 'alice' }],
    ['a home with a space', { ...ctx, home: '/home/a b' }],
    ['an output path going up', { ...ctx, output: '../bob/x.log' }],
    ['a job name with a newline', { ...ctx, jobName: 'x\n#SBATCH --uid=0' }],
    ['a newline in the path', { ...ctx, path: '/bin\nid' }],
  ])('refuses %s', (_label, badCtx: SbatchScriptContext) => {
    expect(() => renderSbatchScript(spec, badCtx)).toThrow(RangeError);
  });

  it('refuses a spec value or prologue line that would break its line (defense in depth)', () => {
    expect(() => renderSbatchScript({ ...spec, partition: 'gpu\n#SBATCH --uid=0' }, ctx)).toThrow(/partition/);
    expect(() => renderSbatchScript({ ...spec, account: 'a b' }, ctx)).toThrow(/account/);
    expect(() => renderSbatchScript({ ...spec, prologue: ['ok', 'bad\nline'] }, ctx)).toThrow(/prologue line 2/);
  });

  it('never puts the token in argv', () => {
    expect([...sbatchArgs(), ...dryRunArgs()].join(' ')).not.toContain('tok');
    expect(sbatchArgs()).toEqual(['--parsable']);
    expect(dryRunArgs()).toEqual(['--test-only']);
  });
});

describe('parseSbatchOutput / parseDryRun', () => {
  it('reads the job id, with or without a cluster', () => {
    expect(parseSbatchOutput('1234\n')).toEqual({ jobId: '1234' });
    expect(parseSbatchOutput('1234;hpc1\n')).toEqual({ jobId: '1234', cluster: 'hpc1' });
    expect(parseSbatchOutput('sbatch: error: Batch job submission failed\n')).toBeNull();
  });

  it("reads sbatch --test-only's expected start", () => {
    const dry = parseDryRun('sbatch: Job 12 to start at 2026-11-30T19:05:00 using 4 processors on nodes node1 in partition gpu\n');
    expect(dry).toEqual({ start: new Date(2026, 10, 30, 19, 5, 0), processors: 4, nodes: 'node1', partition: 'gpu' });
    expect(parseDryRun('sbatch: error: Invalid account or account/partition combination specified\n')).toBeNull();
  });
});
