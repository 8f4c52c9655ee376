import { DEFAULT_PROFILES } from '@clusterhub/shared';
import { isApiErrorBody, isHubIdentity, isHubProfile, isHubProfileList, isHubServer, isHubUser } from './guards';

const SERVER = {
  name: '',
  ready: true,
  pending: null,
  stopped: false,
  started: '2026-01-02T03:04:05.000000Z',
  last_activity: null,
  url: '/user/alice/',
  profile: 'cpu-default',
  lifecycle: 'running',
  stop_reason: null,
  message: null,
};

describe('server and user guards', () => {
  it('accept a clusterhub server model and a plain JupyterHub one', () => {
    expect(isHubServer(SERVER)).toBe(true);
    const jupyterhub: Record<string, unknown> = { ...SERVER };
    for (const key of ['profile', 'lifecycle', 'stop_reason', 'message']) delete jupyterhub[key];
    expect(isHubServer(jupyterhub)).toBe(true);
  });

  it('refuse wrong types in required and optional fields', () => {
    expect(isHubServer({ ...SERVER, ready: 'yes' })).toBe(false);
    expect(isHubServer({ ...SERVER, pending: 'start' })).toBe(false);
    expect(isHubServer({ ...SERVER, lifecycle: 'sleeping' })).toBe(false);
    expect(isHubServer({ ...SERVER, profile: 3 })).toBe(false);
    expect(isHubServer(null)).toBe(false);
    expect(isHubServer([SERVER])).toBe(false);
  });

  it('check every server of a user', () => {
    const user = { kind: 'user', name: 'alice', admin: false, groups: ['lab'], servers: { '': SERVER } };
    expect(isHubUser(user)).toBe(true);
    expect(isHubUser({ kind: 'user', name: 'alice' })).toBe(true);
    expect(isHubUser({ ...user, servers: { '': { ...SERVER, url: null } } })).toBe(false);
    expect(isHubUser({ ...user, kind: 'service' })).toBe(false);
    expect(isHubUser({ ...user, groups: 'lab' })).toBe(false);
  });

  it('accept identities of users and services, which always carry scopes', () => {
    expect(isHubIdentity({ kind: 'user', name: 'alice', scopes: ['read:users:name!user=alice'], session_id: null })).toBe(true);
    expect(isHubIdentity({ kind: 'service', name: 'culler', scopes: [] })).toBe(true);
    expect(isHubIdentity({ kind: 'user', name: 'alice' })).toBe(false);
  });
});

describe('profile guards', () => {
  it('accept every seed profile once the hub adds `allowed`', () => {
    const offered = DEFAULT_PROFILES.map((p) => ({ ...p, allowed: true }));
    expect(isHubProfileList(offered)).toBe(true);
  });

  it('refuse a profile without `allowed`, with an unknown kind or a bad memory size', () => {
    const [cpu] = DEFAULT_PROFILES;
    expect(isHubProfile(cpu)).toBe(false);
    expect(isHubProfile({ ...cpu, allowed: true, kind: 'tpu' })).toBe(false);
    expect(isHubProfile({ ...cpu, allowed: true, resources: { memory: { limit: 'lots' } } })).toBe(false);
    expect(isHubProfile({ ...cpu, allowed: true, pricePerHour: '1' })).toBe(false);
    expect(isHubProfile({ ...cpu, allowed: true, environment: { A: 1 } })).toBe(false);
    expect(isHubProfileList({})).toBe(false);
  });
});

describe('error body guard', () => {
  it('accepts the shared error body and refuses unknown codes', () => {
    expect(isApiErrorBody({ code: 'not_found', message: 'No such user', status: 404 })).toBe(true);
    expect(isApiErrorBody({ code: 'not_found', message: 'No such user' })).toBe(true);
    expect(isApiErrorBody({ code: 'teapot', message: 'x', status: 418 })).toBe(false);
    expect(isApiErrorBody({ status: 404, message: 'Not found' })).toBe(false);
  });
});
