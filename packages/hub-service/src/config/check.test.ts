import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from './check';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-check-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('checkConfig', () => {
  it('summarises a valid file', () => {
    const file = join(dir, 'hub.yaml');
    writeFileSync(
      file,
      [
        'db: { kind: postgres, url: "postgres://hub:s3cret@db:5432/hub" }',
        'auth: { admins: [alice] }',
        'services: [{ name: culler, apiTokenEnv: CULLER_TOKEN, admin: true }]',
      ].join('\n'),
    );
    const result = checkConfig(file, { env: {} });
    if (!result.ok) throw new Error(result.errors);
    expect(result.summary).toContain(`config OK: ${file}`);
    expect(result.summary).toContain('hub: public http://127.0.0.1:8000/, internal 127.0.0.1:8081');
    expect(result.summary).toContain('db: postgres (postgres://hub:***@db:5432/hub)');
    expect(result.summary).not.toContain('s3cret');
    expect(result.summary).toContain('admins alice');
    expect(result.summary).toContain('profiles: 5');
    expect(result.summary).toContain('  cpu-default (default): 0.5–2 CPU · 1–2 GiB, 1/h');
    expect(result.summary).toContain('  culler (admin): no token (its environment variable is unset)');
  });

  it('names each backend and the backend of a profile', () => {
    const file = join(dir, 'hub.yaml');
    writeFileSync(join(dir, 'key'), 'k');
    writeFileSync(
      file,
      [
        'backends:',
        '  hpc: { kind: slurm, transport: ssh, ssh: { hosts: [login1, "login2:2222"], user: hubop, privateKeyFile: key, hostKeys: ["SHA256:' + 'b'.repeat(43) + '"] } }',
        '  pbs: { kind: pbs, sudo: false }',
        '  gpu: { kind: kubernetes, kubernetes: { kubeconfigFile: key, namespace: jhub, image: img } }',
        'profiles:',
        '  - { slug: cpu, displayName: CPU, kind: cpu }',
        '  - { slug: job, displayName: Job, kind: cpu, backend: hpc }',
      ].join('\n'),
    );
    const result = checkConfig(file, { env: {} });
    if (!result.ok) throw new Error(result.errors);
    expect(result.summary).toContain('backend hpc: slurm over ssh as hubop@login1, login2:2222, commands as each user via sudo');
    expect(result.summary).toContain('backend pbs: pbs on this machine\n');
    expect(result.summary).toContain(`backend gpu: kubernetes, pods in namespace jhub (kubeconfig ${join(dir, 'key')})`);
    expect(result.summary).toMatch(/ {2}job: .*, on hpc$/m);
    expect(result.summary).not.toMatch(/ {2}cpu: .*, on /);
  });

  it('summarises the embedded default', () => {
    const result = checkConfig(null, { cwd: dir, env: {} });
    expect(result.ok && result.summary).toContain('config OK: embedded default');
    expect(result.ok && result.summary).toContain(`db: sqlite ${join(dir, '.data', 'clusterhub.sqlite')}`);
  });

  it('returns every problem of an invalid file without throwing', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'hub: { public: { port: 99999 } }\ndb: { kind: postgres }\nnope: 1\n');
    expect(checkConfig(file, { env: {} })).toEqual({
      ok: false,
      errors: ['config error at (top level): unknown key "nope"', 'config error at hub.public.port: must be <= 65535'].join('\n'),
    });
    expect(checkConfig(join(dir, 'absent.yaml'), { env: {} })).toEqual({
      ok: false,
      errors: `config error: cannot read ${join(dir, 'absent.yaml')} (ENOENT)`,
    });
  });
});
