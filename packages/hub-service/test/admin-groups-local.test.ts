/**
 * `auth.adminGroups` with local accounts: members of the named hub groups are admins, decided at
 * every login (a real hub, logins through the real proxy, groups changed through the REST API).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../src/config/load';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { apiCall } from './harness/api-call';

describe('auth.adminGroups with local accounts', () => {
  let t: TestHub;

  beforeAll(async () => {
    t = await startTestHub({ config: { auth: { kind: 'local', adminGroups: ['hub-admins'] } } });
    await t.addUser('alice', { password: 'alice-password-1' });
    await t.addUser('bob', { password: 'bob-password-1' });
    expect((await apiCall(`${t.apiUrl}/groups/hub-admins`, { token: t.adminToken, method: 'POST' })).status).toBe(201);
  });

  afterAll(async () => {
    await t?.stop();
  });

  async function loginAdminFlag(name: string, password: string): Promise<boolean> {
    expect((await new BrowserClient().login(t.publicUrl, name, password)).status).toBe(200);
    const user = await apiCall(`${t.apiUrl}/users/${name}`, { token: t.adminToken });
    return (user.json as { admin: boolean }).admin;
  }

  it('makes a member an admin at login, and takes it back at the next login after leaving the group', async () => {
    const members = `${t.apiUrl}/groups/hub-admins/users`;
    expect((await apiCall(members, { token: t.adminToken, method: 'POST', body: { users: ['alice'] } })).status).toBe(200);
    expect(await loginAdminFlag('alice', 'alice-password-1')).toBe(true);
    expect(await loginAdminFlag('bob', 'bob-password-1')).toBe(false);

    expect((await apiCall(members, { token: t.adminToken, method: 'DELETE', body: { users: ['alice'] } })).status).toBe(200);
    expect(await loginAdminFlag('alice', 'alice-password-1')).toBe(false);
  });

  it('refuses a group name the hub cannot hold, naming the key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'clusterhub-admin-groups-'));
    try {
      const file = path.join(dir, 'hub.yaml');
      writeFileSync(file, 'auth:\n  adminGroups: ["ok", "bad/name"]\n');
      expect(() => loadConfig(file, { env: {} })).toThrow(ConfigError);
      expect(() => loadConfig(file, { env: {} })).toThrow('config error at auth.adminGroups[1]: "bad/name" is not a valid group name');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
