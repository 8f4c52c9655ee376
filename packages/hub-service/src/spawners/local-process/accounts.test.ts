import { accountPolicyFor, AccountError, parsePasswdLine, resolveAccount, singlePersonNotice } from './accounts';

const keys = { systemUserTemplate: 'jupyter-{username}', createSystemUsers: true, minUid: 1000 };

describe('accountPolicyFor', () => {
  it('runs each user as their own account when the hub is root', () => {
    expect(accountPolicyFor(0, keys)).toEqual({ mode: 'per-user', template: 'jupyter-{username}', create: true, minUid: 1000 });
  });
  it('is single-person mode for any other uid', () => {
    expect(accountPolicyFor(1000, keys)).toEqual({ mode: 'single-person' });
  });
});

describe('singlePersonNotice', () => {
  it('is one line for a hub that is not root, naming the account', () => {
    const notice = singlePersonNotice(1000, 'ada');
    expect(notice).toMatch(/^Single-person mode: .*"ada".*only for yourself\.$/);
    expect(notice).not.toContain('\n');
  });
  it('is null for root', () => {
    expect(singlePersonNotice(0, 'root')).toBeNull();
  });
});

describe('parsePasswdLine', () => {
  it('reads name, uid, gid and home', () => {
    expect(parsePasswdLine('alice:x:1001:1002:Alice,,,:/home/alice:/bin/bash\n')).toEqual({ name: 'alice', uid: 1001, gid: 1002, home: '/home/alice' });
  });
  it.each(['', 'alice:x:1001', 'alice:x:one:1002::/home/alice:/bin/sh', 'alice:x:1001:1002:::/bin/sh'])('refuses %j', (line) => {
    expect(parsePasswdLine(line)).toBeNull();
  });
});

describe('resolveAccount', () => {
  it('refuses a template that cannot map the name, naming spawner.systemUserTemplate', async () => {
    await expect(resolveAccount({ mode: 'per-user', template: 'nobrace', create: false, minUid: 1000 }, 'alice')).rejects.toThrow(AccountError);
    await expect(resolveAccount({ mode: 'per-user', template: 'nobrace', create: false, minUid: 1000 }, 'alice')).rejects.toThrow(/spawner\.systemUserTemplate/);
  });
  (process.getuid?.() === 0 ? it : it.skip)('never runs a server as root in single-person mode', async () => {
    await expect(resolveAccount({ mode: 'single-person' }, 'alice')).rejects.toThrow(/as root/);
  });
});
