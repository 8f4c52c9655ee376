import { utils } from 'ssh2';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { exitStatus } from './exit-status';
import { createCommandRunner, type CommandRunnerOptions } from './index';
import { checkPrivateKey, keyFingerprint, parseLoginNode, parseLoginNodes, parsePinnedKeys } from './ssh-settings';

/** A host key and its fingerprint as `ssh-keygen -lf` printed it. */
const HOST_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGPrVTijst4vicDG51OC3T655QW7HWL9OXSGuCVoP4ra test';
const HOST_FINGERPRINT = 'SHA256:PfSz+uULXtm/jZV8brq2kZw+rfJTv/7MwRrq3YZ1vMQ';

const KEYS = utils.generateKeyPairSync('ed25519');
const SSH: NonNullable<CommandRunnerOptions['ssh']> = {
  hosts: ['login1.cluster.example', 'login2.cluster.example:2222'],
  user: 'hubop',
  privateKey: KEYS.private,
  hostKeys: [HOST_FINGERPRINT],
  connectTimeoutMs: 5_000,
  keepaliveMs: 10_000,
};

describe('login node list', () => {
  it('takes host, host:port and [v6]:port, 22 by default', () => {
    expect(parseLoginNode('login1', 'k')).toEqual({ host: 'login1', port: 22, label: 'login1:22' });
    expect(parseLoginNode('10.0.0.5:2222', 'k')).toEqual({ host: '10.0.0.5', port: 2222, label: '10.0.0.5:2222' });
    expect(parseLoginNode('[::1]:2200', 'k')).toEqual({ host: '::1', port: 2200, label: '[::1]:2200' });
    expect(parseLoginNode('[fe80::1]', 'k')).toMatchObject({ port: 22 });
  });

  it('refuses anything else, naming the entry', () => {
    for (const bad of ['', ':22', 'login1:', 'login1:0', 'login1:65536', 'login1:22:33', 'login 1', 'login1;id', '::1', '[login1]:22', 'login1:2x', 'user@login1']) {
      expect(() => parseLoginNodes(['ok', bad], 'ssh.hosts')).toThrow(/^ssh\.hosts\[1\] must be a login node as host or host:port/);
    }
    expect(() => parseLoginNodes([], 'ssh.hosts')).toThrow('ssh.hosts must name at least one login node');
    expect(() => parseLoginNodes(['a', 'a:22'], 'ssh.hosts')).toThrow('ssh.hosts[1] repeats login node a:22');
  });
});

describe('host key fingerprints', () => {
  it('computes the ssh-keygen -lf form', () => {
    const blob = Buffer.from(HOST_PUBLIC_KEY.split(' ')[1] ?? '', 'base64');
    expect(keyFingerprint(blob)).toBe(HOST_FINGERPRINT);
  });

  it('takes SHA256 fingerprints (padding dropped) and refuses other forms, naming the entry', () => {
    expect([...parsePinnedKeys([`${HOST_FINGERPRINT}=`, ` ${HOST_FINGERPRINT} `], 'k')]).toEqual([HOST_FINGERPRINT]);
    for (const bad of ['MD5:8f:1a:2b', HOST_FINGERPRINT.slice(7), HOST_PUBLIC_KEY, 'SHA256:short', `${HOST_FINGERPRINT}x`]) {
      expect(() => parsePinnedKeys([HOST_FINGERPRINT, bad], 'ssh.hostKeys')).toThrow(/^ssh\.hostKeys\[1\] must be a SHA256 host key fingerprint/);
    }
  });
});

describe('private key', () => {
  it('takes a private key and refuses a public key, garbage or an encrypted key without showing it', () => {
    expect(() => checkPrivateKey(KEYS.private, 'ssh.privateKey')).not.toThrow();
    expect(() => checkPrivateKey(KEYS.public, 'ssh.privateKey')).toThrow('ssh.privateKey holds a public key');
    expect(() => checkPrivateKey('not a key', 'ssh.privateKey')).toThrow(/^ssh\.privateKey must hold the content of an unencrypted private key/);
    const encrypted = utils.generateKeyPairSync('ed25519', { passphrase: 'secret', cipher: 'aes256-ctr', rounds: 4 }).private;
    let message = '';
    try {
      checkPrivateKey(encrypted, 'ssh.privateKey');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^ssh\.privateKey must hold the content of an unencrypted private key/);
    expect(message).not.toContain(encrypted.split('\n')[1] ?? '-');
  });
});

describe('createCommandRunner', () => {
  it('builds an SSH or a local runner', async () => {
    const ssh = createCommandRunner({ transport: 'ssh', sudo: true, commandDir: '/usr/bin', ssh: SSH });
    expect(ssh.description).toBe('ssh hubop@login1.cluster.example:22,login2.cluster.example:2222 (sudo)');
    const local = createCommandRunner({ transport: 'local', sudo: true, commandDir: '' });
    expect(local.description).toBe('local (sudo)');
    await Promise.all([ssh.close(), local.close()]);
  });

  it('names the setting that is wrong', () => {
    const base: CommandRunnerOptions = { transport: 'ssh', sudo: true, commandDir: '/usr/bin', ssh: SSH };
    const cases: Array<[CommandRunnerOptions, RegExp]> = [
      [{ ...base, ssh: undefined }, /^ssh must be set when the transport is ssh/],
      [{ ...base, commandDir: 'bin' }, /^commandDir must be an absolute folder/],
      [{ ...base, ssh: { ...SSH, hosts: [] } }, /^ssh\.hosts must name at least one/],
      [{ ...base, ssh: { ...SSH, user: 'Hub Op' } }, /^ssh\.user must be a Unix account name/],
      [{ ...base, ssh: { ...SSH, privateKey: '' } }, /^ssh\.privateKey must hold/],
      [{ ...base, ssh: { ...SSH, hostKeys: ['abc'] } }, /^ssh\.hostKeys\[0\] must be/],
      [{ ...base, ssh: { ...SSH, connectTimeoutMs: 0 } }, /^ssh\.connectTimeoutMs must be a whole number of milliseconds above 0/],
      [{ ...base, ssh: { ...SSH, keepaliveMs: -1 } }, /^ssh\.keepaliveMs must be a whole number of milliseconds/],
    ];
    for (const [opts, message] of cases) expect(() => createCommandRunner(opts)).toThrow(message);
  });
});

describe('backoff and exit status', () => {
  it('doubles from the initial wait up to the most', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelay(DEFAULT_BACKOFF, n))).toEqual([0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('reports a code as it is and a signal as 128 + its number', () => {
    expect(exitStatus(0, null)).toBe(0);
    expect(exitStatus(3, null)).toBe(3);
    expect(exitStatus(null, 'SIGKILL')).toBe(137);
    expect(exitStatus(null, 'SIGTERM')).toBe(143);
    expect(exitStatus(null, 'SIGNOPE')).toBe(255);
  });
});
