/**
 * Batch profiles on the real Slurm test cluster (issue 6 items 7 and 8, docs/slurm.md): capacity
 * and choices in `GET /hub/api/clusterhub/profiles` (free A100s change while bob's jobs hold them;
 * alice may choose physics and chem, bob only chem; a scheduler that cannot be reached lists the
 * profile with `free: null` and a reason), the cache of `sinfo`/`sacctmgr` per backend and user, and
 * the jobs API: dry run, submit, list, cancel, another user's job refused, injection in every field,
 * budget, rate limit and scopes. Root only (Slurm, munge and sudo to the job users), as CI runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchJobModel, HubConfig, ProfileModel } from '@clusterhub/shared';
import { startTestHub, tokenFor, type TestHub } from './harness/hub-harness';
import { apiCall, isRecord, navigate, pollUntil, serverModel } from './harness/singleuser';
import { BrowserClient } from './harness/http-client';
import { ensureSlurmCluster, SLURM_START_DEADLINE_MS } from './harness/slurm/cluster';
import { cancelJobs, waitForJob } from './harness/slurm/commands';
import { snapshotStore } from './harness/store-snapshot';

const AS_ROOT = process.getuid?.() === 0;
const PASSWORD = 'alice-password-1';

/** `<user>|<state>|<account>|<name>` of a job in the queue, or '' once it left. */
function squeueOf(jobId: string): string {
  try {
    return execFileSync('squeue', ['--noheader', '--jobs', jobId, '--format=%u|%T|%a|%j'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** Ids of `user`'s jobs in the queue. */
function queuedJobsOf(user: string): string[] {
  return execFileSync('squeue', ['--noheader', '--user', user, '--format=%i'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter(Boolean);
}

const config = (keyFile: string): HubConfig => ({
  backends: {
    hpc: { kind: 'slurm', transport: 'local', cmd: ['/bin/true'], cacheSeconds: 0 },
    // The same cluster, read at most once an hour.
    cached: { kind: 'slurm', transport: 'local', cmd: ['/bin/true'], cacheSeconds: 3600 },
    // A login node that is not there: a real SSH runner whose every command fails to connect.
    down: {
      kind: 'slurm',
      transport: 'ssh',
      ssh: { hosts: ['127.0.0.1:1'], user: 'hubop', privateKeyFile: keyFile, hostKeys: [`SHA256:${'A'.repeat(43)}`], connectTimeoutSeconds: 2 },
      cmd: ['/bin/true'],
    },
  },
  budgets: { users: { bob: 5 }, groups: { 'lab-b': 0.5 } },
  profiles: [
    { slug: 'cpu', displayName: 'CPU here', kind: 'cpu', default: true },
    {
      slug: 'slurm-cpu',
      displayName: 'CPU on Slurm',
      kind: 'cpu',
      backend: 'hpc',
      pricePerHour: 2,
      resources: { cpu: { limit: 1 }, memory: { limit: '200Mi' }, walltime: '00:20:00' },
      slurm: { partition: 'cpu', choices: { account: ['physics', 'chem', 'biology'], qos: 'any', reservation: ['maint'], maxWalltime: '01:00:00' } },
    },
    {
      slug: 'slurm-a100',
      displayName: 'A100 on Slurm',
      kind: 'gpu',
      backend: 'hpc',
      resources: { gpus: { count: 1, type: 'a100' }, cpu: { limit: 1 }, memory: { limit: '200Mi' }, walltime: '00:10:00' },
      slurm: { partition: 'gpu' },
    },
    {
      slug: 'cached-a100',
      displayName: 'A100 on Slurm, cached',
      kind: 'gpu',
      backend: 'cached',
      resources: { gpus: { count: 1, type: 'a100' } },
      slurm: { partition: 'gpu' },
    },
    {
      slug: 'slurm-mig',
      displayName: 'MIG slice on Slurm',
      kind: 'mig',
      backend: 'hpc',
      resources: { mig: { profile: '1g.5gb', count: 1 }, cpu: { limit: 1 }, memory: { limit: '200Mi' }, walltime: '00:10:00' },
      slurm: { partition: 'gpu' },
    },
    {
      slug: 'slurm-pricey',
      displayName: 'Expensive on Slurm',
      kind: 'cpu',
      backend: 'hpc',
      pricePerHour: 10,
      resources: { cpu: { limit: 1 }, memory: { limit: '200Mi' }, walltime: '00:10:00' },
      slurm: { partition: 'cpu' },
    },
    { slug: 'slurm-staff', displayName: 'Staff only', kind: 'cpu', backend: 'hpc', groups: ['staff'], slurm: { partition: 'cpu' } },
    // Two labs may use it; the user says which pays (charge_group), lab-b has less than an hour left.
    {
      slug: 'slurm-labs',
      displayName: 'CPU on Slurm for two labs',
      kind: 'cpu',
      backend: 'hpc',
      groups: ['lab-a', 'lab-b'],
      pricePerHour: 2,
      resources: { cpu: { limit: 1 }, memory: { limit: '200Mi' }, walltime: '00:10:00' },
      slurm: { partition: 'cpu' },
    },
    {
      slug: 'down-a100',
      displayName: 'A100 on a cluster that is down',
      kind: 'gpu',
      backend: 'down',
      resources: { gpus: { count: 1, type: 'a100' } },
      slurm: { partition: 'gpu', choices: { account: ['physics', 'chem'] } },
    },
  ],
});

(AS_ROOT ? describe : describe.skip)('batch profiles and the jobs API (real Slurm)', () => {
  let t: TestHub;
  let alice = '';
  let bob = '';
  let carol = '';
  let keyDir = '';
  const submitted: string[] = [];

  beforeAll(async () => {
    await ensureSlurmCluster();
    keyDir = mkdtempSync(join(tmpdir(), 'clusterhub-jobs-key-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keyDir, 'id')]);
    t = await startTestHub({ config: config(join(keyDir, 'id')) });
    alice = await t.addUser('alice', { password: PASSWORD });
    bob = await t.addUser('bob');
    carol = await t.addUser('carol');
  }, SLURM_START_DEADLINE_MS);

  afterAll(async () => {
    try {
      await cancelJobs(submitted);
    } finally {
      await t?.stop();
      rmSync(keyDir, { recursive: true, force: true });
    }
  });

  const profiles = async (token: string): Promise<Map<string, ProfileModel>> => {
    const res = await apiCall(`${t.apiUrl}/clusterhub/profiles`, token);
    expect(res.status).toBe(200);
    return new Map((res.body as ProfileModel[]).map((p) => [p.slug, p]));
  };
  const jobs = (token: string, init: { method?: string; body?: unknown } = {}, query = '') => apiCall(`${t.apiUrl}/clusterhub/jobs${query}`, token, init);
  const listOf = async (token: string, query = ''): Promise<BatchJobModel[]> => {
    const res = await jobs(token, {}, query);
    expect(res.status).toBe(200);
    // The cluster that is down is named, the other one still listed.
    expect(res.body).toMatchObject({ unavailable: [{ backend: 'down', reason: expect.stringMatching(/cannot be reached/) }] });
    return (res.body as { jobs: BatchJobModel[] }).jobs;
  };

  it('lists batch profiles with their backend, gres and choices narrowed to the user’s associations', async () => {
    const a = await profiles(alice);
    expect(a.get('cpu')?.batch).toBeUndefined();
    expect(a.get('slurm-cpu')?.batch).toEqual({
      backend: 'hpc',
      gres: null,
      free: null,
      fits: null,
      choices: { account: ['physics', 'chem'], qos: ['gpu-short', 'normal'], reservation: ['maint'], walltime: { default: '00:20:00', max: '01:00:00' } },
    });
    expect(a.get('slurm-a100')?.batch).toMatchObject({ backend: 'hpc', gres: 'gpu:a100:1', choices: {} });
    expect(a.get('slurm-a100')?.batch?.free).toEqual(expect.any(Number));
    const mig = a.get('slurm-mig')?.batch;
    expect(mig?.gres).toBe('gpu:1g.5gb:1');
    expect(mig?.free).toBeGreaterThanOrEqual(0);
    expect(mig?.free).toBeLessThanOrEqual(7);
    expect(a.get('slurm-staff')).toMatchObject({ allowed: false });
    expect(a.get('slurm-staff')?.batch).toBeUndefined();
    const b = await profiles(bob);
    expect(b.get('slurm-cpu')?.batch?.choices).toEqual({ account: ['chem'], qos: ['normal'], reservation: ['maint'], walltime: { default: '00:20:00', max: '01:00:00' } });
  });

  it('runs the user’s lines as the user under the hub’s directives, lists the exit code from accounting, and stores nothing', async () => {
    const before = await snapshotStore(t.hub.context.store);
    const res = await jobs(bob, {
      method: 'POST',
      body: { profile: 'slurm-cpu', walltime: '00:05:00', name: 'exit-three', script: 'echo "user=$(id -un) account=$SLURM_JOB_ACCOUNT partition=$SLURM_JOB_PARTITION home=$(pwd)"\nexit 3\n' },
    });
    expect(res.status).toBe(201);
    const id = String((res.body as { id: string }).id);
    submitted.push(id);
    await waitForJob(id, 'to leave the queue', (line) => line === undefined || /COMPLETED|FAILED/.test(line.state), 90_000);
    const ended = await pollUntil('the job in the list as finished', async () => (await listOf(bob)).find((j) => j.id === id && j.phase === 'finished'), 60_000, 1000);
    expect(ended).toMatchObject({ name: 'exit-three', user: 'bob', state: 'FAILED', exit_code: 3, partition: 'cpu' });
    const home = execFileSync('getent', ['passwd', 'bob'], { encoding: 'utf8' }).split(':')[5] ?? '';
    const output = readFileSync(join(home, `slurm-${id}.out`), 'utf8');
    expect(output).toContain(`user=bob account=chem partition=cpu home=${home}`);
    rmSync(join(home, `slurm-${id}.out`), { force: true });
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
  });

  it('the home page shows free GPUs and a start form per choosing profile whose fields reach the start as user_options', async () => {
    const client = new BrowserClient();
    expect((await client.login(t.publicUrl, 'alice', PASSWORD)).status).toBe(200);
    const home = await navigate(client, `${t.publicUrl}/hub/home`);
    expect(home.status).toBe(200);
    expect(home.text).toMatch(/id="batch-free-slurm-a100">(none|\d+) free now</);
    expect(home.text).toMatch(/<option value="slurm-a100"[^>]*>A100 on Slurm — 0 units\/h · (none|\d+) free now</);
    expect(home.text).toMatch(/id="batch-free-down-a100">Free gpu:a100:1 unknown: the scheduler of down cannot be asked right now/);
    const form = /<form method="post" action="([^"]+)" class="batch-start" id="batch-start-slurm-cpu">([\s\S]*?)<\/form>/.exec(home.text);
    if (!form?.[1] || !form[2]) throw new Error('no batch start form for slurm-cpu');
    const account = /<select id="batch-slurm-cpu-account" name="account">(.*?)<\/select>/.exec(form[2])?.[1] ?? '';
    expect([...account.matchAll(/value="([^"]*)"/g)].map((m) => m[1])).toEqual(['', 'physics', 'chem']);
    expect(form[2]).toContain('name="qos"');
    expect(form[2]).toContain('name="walltime"');
    expect(form[2]).not.toContain('name="partition"');
    const xsrf = /name="_xsrf" value="([^"]+)"/.exec(form[2])?.[1]?.replace(/&amp;/g, '&') ?? '';
    const post = (fields: Record<string, string>) =>
      navigate(client, new URL(form[1] ?? '', t.publicUrl).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _xsrf: xsrf, profile: 'slurm-cpu', ...fields }).toString(),
        follow: false,
      });
    const bad = await post({ account: '$(id)' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('account');
    expect(await serverModel(t, 'alice')).toBeUndefined();
    const started = await post({ account: 'chem', walltime: '00:05:00' });
    expect(started.status).toBe(302);
    const model = await serverModel(t, 'alice', { includeStopped: true });
    expect(model?.user_options).toMatchObject({ profile: 'slurm-cpu', account: 'chem', walltime: '00:05:00' });
    const jobId = model?.state?.['jobId'];
    if (typeof jobId === 'string') submitted.push(jobId);
    await pollUntil('the start (of /bin/true) to end', async () => {
      const m = await serverModel(t, 'alice', { includeStopped: true });
      return m && m.lifecycle !== 'pending-start' ? true : undefined;
    }, 90_000, 500);
  });

  it('a scheduler that cannot be reached: the profile still lists, free null with a reason, choices as written', async () => {
    const down = (await profiles(alice)).get('down-a100');
    expect(down).toMatchObject({ allowed: true, batch: { backend: 'down', gres: 'gpu:a100:1', free: null, fits: null, choices: { account: ['physics', 'chem'] } } });
    expect(down?.batch?.reason).toMatch(/cannot be asked right now/);
    expect(down?.batch?.choicesReason).toMatch(/cannot be asked right now/);
  });

  it('free A100s drop to 0 while bob’s jobs hold both, and come back when they end (the cached backend keeps its first answer)', async () => {
    const cachedBefore = (await profiles(alice)).get('cached-a100')?.batch;
    expect(cachedBefore?.free).toEqual(expect.any(Number));
    const blockers = [1, 2].map(() =>
      execFileSync('sudo', ['-n', '-u', 'bob', 'sbatch', '--parsable', '--partition=gpu', '--gres=gpu:a100:1', '--mem=100M', '--time=10:00', '--chdir=/tmp', '--output=/dev/null', '--wrap=sleep 600'], { encoding: 'utf8' }).trim(),
    );
    submitted.push(...blockers);
    try {
      await pollUntil('both A100s to be taken', async () => (blockers.every((id) => squeueOf(id).includes('RUNNING')) ? true : undefined), 60_000, 500);
      const during = await profiles(alice);
      expect(during.get('slurm-a100')?.batch).toMatchObject({ free: 0, fits: 0 });
      expect(during.get('cached-a100')?.batch).toEqual(cachedBefore);
    } finally {
      await cancelJobs(blockers);
    }
    await pollUntil('an A100 to be free again', async () => (((await profiles(alice)).get('slurm-a100')?.batch?.free ?? 0) >= 1 ? true : undefined), 60_000, 500);
  });

  it('a dry run returns the script, the cost and Slurm’s expected start, and submits nothing', async () => {
    const before = queuedJobsOf('alice');
    const res = await jobs(alice, { method: 'POST', body: { profile: 'slurm-cpu', account: 'chem', walltime: '00:30:00', name: 'dry-one', script: 'echo hello\n', dry_run: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dry_run: true, profile: 'slurm-cpu', backend: 'hpc', cost: { units: 1, pricePerHour: 2, walltimeSeconds: 1800 }, partition: 'cpu' });
    const body = res.body as { script: string; expected_start: string };
    expect(body.expected_start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    for (const line of ['#SBATCH --job-name=dry-one', '#SBATCH --partition=cpu', '#SBATCH --account=chem', '#SBATCH --time=00:30:00', '#SBATCH --export=NONE']) expect(body.script).toContain(line);
    expect(body.script.trimEnd().endsWith('echo hello')).toBe(true);
    expect(queuedJobsOf('alice')).toEqual(before);
  });

  it('submits as alice, lists the job for alice and admins only, refuses bob’s cancel, cancels for alice', async () => {
    const res = await jobs(alice, { method: 'POST', body: { profile: 'slurm-cpu', account: 'chem', name: 'api-job', script: 'echo "ran as $(id -un)"\nsleep 300' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ profile: 'slurm-cpu', backend: 'hpc', cost: { units: 0.666667, pricePerHour: 2, walltimeSeconds: 1200 } });
    const id = String((res.body as { id: string }).id);
    submitted.push(id);
    expect(squeueOf(id)).toMatch(/^alice\|(PENDING|RUNNING|CONFIGURING)\|chem\|api-job$/);

    expect((await listOf(alice)).find((j) => j.id === id)).toMatchObject({ backend: 'hpc', name: 'api-job', user: 'alice', phase: 'queued', partition: 'cpu', exit_code: null });
    expect((await listOf(t.adminToken, '?user=alice')).some((j) => j.id === id)).toBe(true);
    expect((await listOf(bob)).some((j) => j.id === id)).toBe(false);
    expect(await jobs(bob, {}, '?user=alice')).toMatchObject({ status: 404 });

    const refused = await apiCall(`${t.apiUrl}/clusterhub/jobs/${id}`, bob, { method: 'DELETE' });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ code: 'job_not_found' });
    expect((await apiCall(`${t.apiUrl}/clusterhub/jobs/${id}?user=alice`, bob, { method: 'DELETE' })).status).toBe(404);
    expect(squeueOf(id)).toMatch(/^alice\|(PENDING|RUNNING|CONFIGURING)\|/);

    expect((await apiCall(`${t.apiUrl}/clusterhub/jobs/${id}`, alice, { method: 'DELETE' })).status).toBe(204);
    await pollUntil('the job to leave the queue', async () => (/PENDING|RUNNING|CONFIGURING|COMPLETING/.test(squeueOf(id)) ? undefined : true), 60_000, 500);
    expect((await apiCall(`${t.apiUrl}/clusterhub/jobs/${id}`, alice, { method: 'DELETE' })).status).toBe(204);
    const ended = await pollUntil('the cancelled job in the list', async () => (await listOf(alice)).find((j) => j.id === id && /CANCELLED/.test(j.state)), 60_000, 1000);
    expect(ended.user).toBe('alice');
  });

  it('refuses injection in every field with 400 naming it, and submits nothing', async () => {
    const before = queuedJobsOf('alice');
    const base = { profile: 'slurm-cpu', script: 'echo ok' };
    const optionCases: Array<[string, unknown]> = [];
    for (const field of ['account', 'qos', 'reservation', 'partition']) {
      for (const value of ['chem; scancel -u alice', 'chem\n#SBATCH --uid=0', '$(id)', '`id`', 'chem --uid=0', 'x'.repeat(65), 42]) optionCases.push([field, value]);
    }
    for (const value of ['00:30:00\n#SBATCH --uid=0', '00:30:00; id', '$(id)', '99:00:00', 30]) optionCases.push(['walltime', value]);
    optionCases.push(['partition', 'gpu']);
    for (const [field, value] of optionCases) {
      const res = await jobs(alice, { method: 'POST', body: { ...base, [field]: value } });
      expect({ field, value, status: res.status, code: isRecord(res.body) ? res.body.code : null }).toEqual({ field, value, status: 400, code: 'invalid_user_option' });
      expect(isRecord(res.body) && String(res.body.message)).toContain(field);
    }
    const scriptCases: Array<[unknown, RegExp]> = [
      ['echo a\n#SBATCH --uid=0\necho b', /Line 2 /],
      ['#SBATCH --account=physics', /Line 1 /],
      ['echo a\r\n  # sbatch --partition=gpu', /Line 2 /],
      ['echo a\n#PBS -l walltime=99:00:00', /Line 2 /],
      ['echo \0 nul', /NUL/],
      ['   \n', /empty/],
      ['x'.repeat(70_000), /longer than/],
      [undefined, /needs a script/],
      [['echo a'], /needs a script/],
    ];
    for (const [script, message] of scriptCases) {
      const res = await jobs(alice, { method: 'POST', body: { profile: 'slurm-cpu', script } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_job_script', details: { field: 'script' } });
      expect(isRecord(res.body) && String(res.body.message)).toMatch(message);
    }
    const other: Array<[unknown, number, string]> = [
      [{ ...base, name: 'a\n#SBATCH --uid=0' }, 400, 'validation_failed'],
      [{ ...base, name: 'has space' }, 400, 'validation_failed'],
      [{ ...base, dry_run: 'yes' }, 400, 'validation_failed'],
      [{ ...base, constraint: 'a100' }, 400, 'unknown_field'],
      [{ ...base, profile: undefined }, 400, 'unknown_profile'],
      [{ ...base, profile: 'nope' }, 400, 'unknown_profile'],
      [{ ...base, profile: ['slurm-cpu'] }, 400, 'validation_failed'],
      [['slurm-cpu'], 400, 'validation_failed'],
      [{ ...base, profile: 'cpu' }, 400, 'not_a_batch_profile'],
      [{ ...base, profile: 'slurm-staff' }, 403, 'profile_forbidden'],
    ];
    for (const [body, status, code] of other) {
      const res = await jobs(alice, { method: 'POST', body });
      expect({ body, status: res.status, code: isRecord(res.body) ? res.body.code : null }).toEqual({ body, status, code });
    }
    expect((await apiCall(`${t.apiUrl}/clusterhub/jobs/abc`, alice, { method: 'DELETE' })).body).toMatchObject({ code: 'invalid_job_id' });
    expect((await apiCall(`${t.apiUrl}/clusterhub/jobs/1_2_3`, alice, { method: 'DELETE' })).status).toBe(400);
    expect((await apiCall(`${t.apiUrl}/clusterhub/jobs/987654321?backend=hpc`, alice, { method: 'DELETE' })).body).toMatchObject({ code: 'job_not_found' });
    expect((await apiCall(`${t.apiUrl}/clusterhub/jobs/987654321?backend=nope`, alice, { method: 'DELETE' })).body).toMatchObject({ code: 'invalid_query' });
    // Not on hpc, and the down cluster cannot be asked: it may be there.
    const unsure = await apiCall(`${t.apiUrl}/clusterhub/jobs/987654321`, alice, { method: 'DELETE' });
    expect(unsure).toMatchObject({ status: 503, body: { code: 'scheduler_unavailable' } });
    expect(queuedJobsOf('alice')).toEqual(before);
  });

  it('Slurm’s refusal is a 400 with its words; the budget check comes before Slurm', async () => {
    // The profile offers biology, but alice has no association with it: Slurm says no, nothing is queued.
    const before = queuedJobsOf('alice');
    const biology = await jobs(alice, { method: 'POST', body: { profile: 'slurm-cpu', account: 'biology', script: 'echo x' } });
    expect(biology).toMatchObject({ status: 400, body: { code: 'job_refused' } });
    expect(isRecord(biology.body) && String(biology.body.message)).toMatch(/Invalid account/);
    expect(queuedJobsOf('alice')).toEqual(before);
    const refused = await jobs(bob, { method: 'POST', body: { profile: 'slurm-cpu', account: 'physics', script: 'echo x', dry_run: true } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'job_refused' });
    expect(isRecord(refused.body) && String(refused.body.message)).toMatch(/Invalid account/);
    const broke = await jobs(bob, { method: 'POST', body: { profile: 'slurm-pricey', script: 'echo x', dry_run: true } });
    expect(broke.status).toBe(402);
    expect(broke.body).toMatchObject({ code: 'budget_exceeded' });
  });

  it('charge_group picks the group whose budget pays: that budget is checked, one not the user’s is 400, nothing reaches Slurm when refused', async () => {
    const record = await t.hub.context.store.users.getByName('alice');
    if (!record) throw new Error('no alice');
    await t.hub.context.store.groups.setUserGroups(record.id, ['lab-a', 'lab-b']);
    const before = queuedJobsOf('alice');
    const dry = { profile: 'slurm-labs', script: 'echo x', dry_run: true };
    const labA = await jobs(alice, { method: 'POST', body: { ...dry, charge_group: 'lab-a' } });
    expect(labA).toMatchObject({ status: 200, body: { dry_run: true, profile: 'slurm-labs', charge_group: 'lab-a' } });
    const labB = await jobs(alice, { method: 'POST', body: { ...dry, charge_group: 'lab-b' } });
    expect(labB).toMatchObject({ status: 402, body: { code: 'budget_exceeded', details: { budget: 'group', name: 'lab-b' } } });
    for (const group of ['staff', 'lab-c']) {
      const other = await jobs(alice, { method: 'POST', body: { ...dry, dry_run: false, charge_group: group } });
      expect(other).toMatchObject({ status: 400, body: { code: 'invalid_charge_group', details: { charge_group: group, allowed: ['lab-a', 'lab-b'] } } });
    }
    expect(await jobs(alice, { method: 'POST', body: { ...dry, charge_group: 7 } })).toMatchObject({ status: 400, body: { code: 'invalid_charge_group' } });
    // A profile without groups charges none.
    expect(await jobs(alice, { method: 'POST', body: { profile: 'slurm-cpu', script: 'echo x', dry_run: true } })).toMatchObject({ status: 200, body: { charge_group: null } });
    expect(queuedJobsOf('alice')).toEqual(before);
  });

  it('scopes: read:jobs lists but cannot submit; a token without them gets 403', async () => {
    const reader = await tokenFor(t.hub, 'alice', ['read:jobs!user=alice']);
    expect((await jobs(reader)).status).toBe(200);
    expect(await jobs(reader, { method: 'POST', body: { profile: 'slurm-cpu', script: 'echo x', dry_run: true } })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const none = await tokenFor(t.hub, 'alice', ['read:users!user=alice']);
    expect((await jobs(none)).status).toBe(403);
    expect((await apiCall(`${t.apiUrl}/clusterhub/jobs/1`, none, { method: 'DELETE' })).status).toBe(403);
  });

  it('limits submissions per user: the 11th in a minute is 429 with Retry-After', async () => {
    // carol has no cluster account: each try reaches sbatch and is refused there, but counts.
    for (let i = 0; i < 10; i++) {
      const res = await jobs(carol, { method: 'POST', body: { profile: 'slurm-cpu', script: 'echo x', dry_run: true } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'job_refused' });
    }
    const limited = await jobs(carol, { method: 'POST', body: { profile: 'slurm-cpu', script: 'echo x', dry_run: true } });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'too_many_submissions' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Bad input never reaches the limiter; other users are not limited.
    expect((await jobs(carol, { method: 'POST', body: { profile: 'slurm-cpu', script: '#SBATCH -A x' } })).status).toBe(400);
    expect((await jobs(alice, { method: 'POST', body: { profile: 'slurm-cpu', script: 'echo x', dry_run: true } })).status).toBe(200);
  });
});

