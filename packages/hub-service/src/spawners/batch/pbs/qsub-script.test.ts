import { execFileSync } from 'node:child_process';
import type { JobSpec } from '../job-spec';
import { parseQsubOutput, pbsResources, pbsWalltime, qdelArgs, qsubArgs, renderQsubScript, type QsubScriptContext } from './qsub-script';

const spec: JobSpec = { partition: 'cpu', account: 'physics', walltime: '1-12:00:00', walltimeSeconds: 129600, cpus: 4, memoryMiB: 16384, gres: 'gpu:1', prologue: ['module load Python'] };
const ctx: QsubScriptContext = {
  jobName: 'clusterhub-4',
  user: 'alice',
  home: '/home/alice',
  output: 'clusterhub-%j.log',
  path: '/usr/bin:/bin',
  env: { JUPYTERHUB_API_TOKEN: "se'cret" },
  cmd: ['batchspawner-singleuser', 'jupyterhub-singleuser'],
};

describe('pbsResources / pbsWalltime', () => {
  it('joins all resources into one -l (the wrappers take only the last), walltime in total hours', () => {
    expect(pbsResources(spec)).toBe('nodes=1:ppn=4:gpus=1,mem=16384mb,walltime=36:00:00');
    expect(pbsResources({ cpus: 1, prologue: [] })).toBe('nodes=1:ppn=1');
    expect(pbsWalltime(5400)).toBe('01:30:00');
  });

  it('refuses what PBS cannot ask for, naming it', () => {
    expect(() => pbsResources({ ...spec, gres: 'gpu:a100:1' })).toThrow(/gres "gpu:a100:1".*PBS dialect/);
    expect(() => pbsResources({ ...spec, gres: 'gpu:1g.5gb:1' })).toThrow(/MIG profile/);
    expect(() => pbsResources({ ...spec, qos: 'normal' })).toThrow(/^qos: /);
    expect(() => pbsResources({ ...spec, reservation: 'r' })).toThrow(/^reservation: /);
    expect(() => pbsResources({ ...spec, constraint: 'a100&ib' })).toThrow(/^constraint: /);
  });
});

describe('qsubArgs', () => {
  const args = qsubArgs(spec, ctx);

  it('puts the options, -j oe, the output, the working folder and -- --parsable (script on stdin) in argv', () => {
    expect(args).toEqual([
      '-N', 'clusterhub-4',
      '-q', 'cpu',
      '-A', 'physics',
      '-l', 'nodes=1:ppn=4:gpus=1,mem=16384mb,walltime=36:00:00',
      '-j', 'oe',
      '-o', 'clusterhub-%j.log',
      '-wd', '/home/alice',
      '-v', 'CLUSTERHUB_JOB=1',
      '--', '--parsable',
    ]);
    expect(qsubArgs(spec, ctx, 'pbs').slice(-2)).toEqual(['-v', 'CLUSTERHUB_JOB=1']);
    expect(args.join(' ')).not.toContain('secret');
  });

  it("is translated by Debian's real qsub wrapper into the sbatch options meant", () => {
    const line = execFileSync('qsub', [...args.slice(0, -2), '--sbatchline', ...args.slice(-2)], { encoding: 'utf8' }).trim();
    const words = line.split(/\s+/).slice(1); // after the sbatch path
    expect(words).toEqual(
      expect.arrayContaining(['-o', 'clusterhub-%j.log', '-N1', '-n4', '--gpus-per-node=1', '-D/home/alice', '-t2160', '--export=none,CLUSTERHUB_JOB=1', '--mem=16384M', '--account=physics', '-J', 'clusterhub-4', '-p', 'cpu']),
    );
    expect(words[words.length - 1]).toBe('--parsable'); // no script path: sbatch reads the script from stdin
    expect(words).not.toContain('-e'); // -j oe: one output file
  });

  it('refuses anything the wrapper would hand to a shell unquoted', () => {
    expect(() => qsubArgs({ ...spec, partition: 'cpu;id' }, ctx)).toThrow(/-q: the PBS wrapper passes it through a shell/);
    expect(() => qsubArgs(spec, { ...ctx, jobName: 'x$(id)' })).toThrow(RangeError);
    expect(() => qsubArgs(spec, { ...ctx, home: '/home/a`id`' })).toThrow(/home/);
  });
});

describe('renderQsubScript', () => {
  it('writes #PBS directives, then the shared reset, prologue, exports and exec', () => {
    const script = renderQsubScript(spec, ctx);
    const lines = script.split('\n');
    expect(lines.filter((l) => l.startsWith('#PBS'))).toEqual([
      '#PBS -N clusterhub-4',
      '#PBS -q cpu',
      '#PBS -A physics',
      '#PBS -l nodes=1:ppn=4:gpus=1,mem=16384mb,walltime=36:00:00',
      '#PBS -j oe',
      '#PBS -o clusterhub-%j.log',
    ]);
    expect(script).toContain('PBS_*|SLURM_*');
    expect(lines).toContain(`export JUPYTERHUB_API_TOKEN='se'\\''cret'`);
    expect(lines).toContain("exec 'batchspawner-singleuser' 'jupyterhub-singleuser'");
    expect(() => execFileSync('bash', ['-n'], { input: script })).not.toThrow();
  });

  it('refuses newlines in values and hub overrides of PBS variables', () => {
    expect(() => renderQsubScript(spec, { ...ctx, env: { PBS_JOBID: '1' } })).toThrow(RangeError);
    expect(() => renderQsubScript(spec, { ...ctx, env: { A: 'x\ny' } })).toThrow(RangeError);
    expect(() => renderQsubScript({ ...spec, prologue: ['a\nb'] }, ctx)).toThrow(RangeError);
  });
});

describe('parseQsubOutput / qdelArgs', () => {
  it("reads the job id, from the wrappers or PBS; null for the wrapper's error text", () => {
    expect(parseQsubOutput('123\n')).toBe('123');
    expect(parseQsubOutput('123.pbs-server.example\n')).toBe('123.pbs-server.example');
    expect(parseQsubOutput("There was an error running the Slurm sbatch command.\nThe command was:\n'...'\n")).toBeNull();
  });
  it('checks ids', () => {
    expect(qdelArgs(['1', '2.srv'])).toEqual(['1', '2.srv']);
    expect(() => qdelArgs(['1;id'])).toThrow(RangeError);
  });
});
