import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import type { ResolvedConfig } from '../config/types';
import { openStore } from '../store/open';
import type { Store, UserRecord } from '../store/store';
import { sha256Hex } from '../lib/secrets';
import { IdentityService, type Identity } from '../services/identity';
import { ServerCredentials } from '../services/server-credentials';
import { OAuthError, OAuthProvider, appendQuery, type AuthorizeParams } from './oauth-provider';

const CLIENT_ID = 'jupyterhub-user-alice';
const REDIRECT = '/user/alice/oauth_callback';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const LIFETIME_S = 3600;

let dir: string;
let config: ResolvedConfig;
let store: Store;
let now: number;
let provider: OAuthProvider;
let identities: IdentityService;
let alice: UserRecord;
let bob: UserRecord;
let root: UserRecord;
let secret: string;

const params = (over: Partial<AuthorizeParams> = {}): AuthorizeParams => ({
  clientId: CLIENT_ID,
  redirectUri: REDIRECT,
  responseType: 'code',
  state: 'st-1',
  codeChallenge: CHALLENGE,
  codeChallengeMethod: 'S256',
  ...over,
});

async function who(user: UserRecord): Promise<Identity> {
  const identity = await identities.fromSession(user.id, `session-of-${user.name}`);
  if (!identity) throw new Error('no identity');
  return identity;
}

async function expectOAuthError(promise: Promise<unknown>, error: OAuthError['error'], status = 400): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(OAuthError);
  expect(caught).toMatchObject({ error, status });
}

/** What a code grants `userName`: the client's allowed scopes plus the identify scopes, sorted. */
async function grantedScopes(userName: string): Promise<string[]> {
  const client = await store.oauth.getClient(CLIENT_ID);
  return [...new Set([...(client?.allowedScopes ?? []), `read:users:name!user=${userName}`, `read:users:groups!user=${userName}`])].sort();
}

/** Runs authorize + issueCode for alice and returns the code from the redirect. */
async function codeFor(user: UserRecord, p: AuthorizeParams = params()): Promise<string> {
  const check = await provider.checkAuthorize(await who(user), p);
  const location = await provider.issueCode(user, `session-of-${user.name}`, check, p);
  const url = new URL(location, 'http://hub.invalid');
  expect(url.pathname).toBe(REDIRECT);
  expect(url.searchParams.get('state')).toBe(p.state);
  const code = url.searchParams.get('code');
  if (!code) throw new Error('no code in the redirect');
  return code;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-oauth-'));
  config = loadConfig(null, { cwd: dir, env: {} });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  now = Date.parse('2024-05-01T12:00:00.000Z');
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
  const clock = (): number => now;
  provider = new OAuthProvider({ store, clock, tokenLifetimeSeconds: LIFETIME_S });
  identities = new IdentityService({ store, config, clock });
  alice = await store.users.create({ name: 'alice' });
  bob = await store.users.create({ name: 'bob' });
  root = await store.users.create({ name: 'root', admin: true });
  const server = await store.servers.create({ userId: alice.id, name: '' });
  secret = await new ServerCredentials(store).issue(alice, server, '/user/alice/');
});

afterEach(async () => {
  await store.close();
});

describe('OAuthProvider.checkAuthorize', () => {
  it('the owner of the server needs no confirmation', async () => {
    const check = await provider.checkAuthorize(await who(alice), params());
    expect(check.client.id).toBe(CLIENT_ID);
    expect(check.target).toEqual({ user: 'alice', server: '' });
    expect(check.needsConfirmation).toBe(false);
  });

  it('an unknown client is invalid_client', async () => {
    await expectOAuthError(provider.checkAuthorize(await who(alice), params({ clientId: 'jupyterhub-user-nobody' })), 'invalid_client');
  });

  it('a redirect_uri other than the registered one is invalid_client (never redirected to)', async () => {
    await expectOAuthError(provider.checkAuthorize(await who(alice), params({ redirectUri: 'https://evil.example/cb' })), 'invalid_client');
    await expectOAuthError(provider.checkAuthorize(await who(alice), params({ redirectUri: `${REDIRECT}/` })), 'invalid_client');
  });

  it('response_type other than code is unsupported_response_type', async () => {
    await expectOAuthError(provider.checkAuthorize(await who(alice), params({ responseType: 'token' })), 'unsupported_response_type');
  });

  it('the plain PKCE method is refused', async () => {
    await expectOAuthError(provider.checkAuthorize(await who(alice), params({ codeChallengeMethod: 'plain' })), 'invalid_request');
    await expectOAuthError(provider.checkAuthorize(await who(alice), params({ codeChallengeMethod: null })), 'invalid_request');
  });

  it('another user without access is access_denied with status 403', async () => {
    await expectOAuthError(provider.checkAuthorize(await who(bob), params()), 'access_denied', 403);
  });

  it('an admin may access the server but must confirm', async () => {
    const check = await provider.checkAuthorize(await who(root), params());
    expect(check.needsConfirmation).toBe(true);
    expect(check.target).toEqual({ user: 'alice', server: '' });
  });
});

describe('OAuthProvider code exchange', () => {
  const form = (code: string, over: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
    grant_type: 'authorization_code',
    client_id: CLIENT_ID,
    client_secret: secret,
    code,
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
    ...over,
  });

  it('issues a token bound to the browser session, scoped to the server, with PKCE', async () => {
    const code = await codeFor(alice);
    const answer = await provider.exchangeCode(form(code));
    expect(answer).toMatchObject({ token_type: 'Bearer', expires_in: LIFETIME_S });
    expect(answer.access_token).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.scope.split(' ').sort()).toEqual(await grantedScopes('alice'));
    expect(answer.scope.split(' ')).toContain('access:servers!server=alice/');
    const record = await store.tokens.findByHash(sha256Hex(answer.access_token));
    expect(record).toMatchObject({ kind: 'oauth', userId: alice.id, sessionId: 'session-of-alice', oauthClientId: CLIENT_ID });
    expect(record?.expiresAt?.getTime()).toBe(now + LIFETIME_S * 1000);
    const identity = await identities.fromToken(answer.access_token);
    expect(identity?.name).toBe('alice');
    expect(identity?.scopes.has('access:servers!server=alice/')).toBe(true);
  });

  it('an admin who confirmed gets a token for that server only, bound to the admin', async () => {
    const answer = await provider.exchangeCode(form(await codeFor(root)));
    expect(answer.scope.split(' ').sort()).toEqual(await grantedScopes('root'));
    const identity = await identities.fromToken(answer.access_token);
    expect(identity?.name).toBe('root');
    expect(identity?.scopes.has('access:servers!server=alice/')).toBe(true);
    expect(identity?.scopes.has('access:servers')).toBe(false);
    expect(identity?.scopes.has('admin:users')).toBe(false);
  });

  it('works without PKCE when none was asked for', async () => {
    const code = await codeFor(alice, params({ codeChallenge: null, codeChallengeMethod: null }));
    await expect(provider.exchangeCode(form(code, { code_verifier: undefined }))).resolves.toHaveProperty('token_type', 'Bearer');
  });

  it('a code is single use', async () => {
    const code = await codeFor(alice);
    await provider.exchangeCode(form(code));
    await expectOAuthError(provider.exchangeCode(form(code)), 'invalid_grant');
  });

  it('a code expires after 300 s', async () => {
    const code = await codeFor(alice);
    now += 301_000;
    await expectOAuthError(provider.exchangeCode(form(code)), 'invalid_grant');
  });

  it('a code still works just before it expires', async () => {
    const code = await codeFor(alice);
    now += 299_000;
    await expect(provider.exchangeCode(form(code))).resolves.toHaveProperty('token_type', 'Bearer');
  });

  it('a wrong client secret is invalid_client with status 401, and the code is not spent', async () => {
    const code = await codeFor(alice);
    await expectOAuthError(provider.exchangeCode(form(code, { client_secret: 'wrong' })), 'invalid_client', 401);
    await expectOAuthError(provider.exchangeCode(form(code, { client_secret: undefined })), 'invalid_client', 401);
    await expectOAuthError(provider.exchangeCode(form(code, { client_id: 'jupyterhub-user-bob' })), 'invalid_client', 401);
    await expect(provider.exchangeCode(form(code))).resolves.toHaveProperty('token_type', 'Bearer');
  });

  it('a wrong or missing PKCE verifier is invalid_grant', async () => {
    await expectOAuthError(provider.exchangeCode(form(await codeFor(alice), { code_verifier: `${VERIFIER.slice(0, -1)}A` })), 'invalid_grant');
    await expectOAuthError(provider.exchangeCode(form(await codeFor(alice), { code_verifier: undefined })), 'invalid_grant');
  });

  it('a redirect_uri different from the authorization request is invalid_grant', async () => {
    await expectOAuthError(provider.exchangeCode(form(await codeFor(alice), { redirect_uri: '/user/alice/other' })), 'invalid_grant');
  });

  it('other grant types and a missing code are refused', async () => {
    await expectOAuthError(provider.exchangeCode(form(await codeFor(alice), { grant_type: 'client_credentials' })), 'unsupported_grant_type');
    await expectOAuthError(provider.exchangeCode(form('', { code: undefined })), 'invalid_request');
    await expectOAuthError(provider.exchangeCode(form('not-a-code')), 'invalid_grant');
  });

  it('a code issued to one client cannot be redeemed by another', async () => {
    const gpu = await store.servers.create({ userId: alice.id, name: 'gpu' });
    const gpuSecret = await new ServerCredentials(store).issue(alice, gpu, '/user/alice/gpu/');
    const code = await codeFor(alice);
    await expectOAuthError(provider.exchangeCode(form(code, { client_id: 'jupyterhub-user-alice-gpu', client_secret: gpuSecret })), 'invalid_grant');
  });
});

describe('appendQuery', () => {
  it('adds parameters with ? or &, skipping nulls', () => {
    expect(appendQuery('/cb', { code: 'a b', state: null })).toBe('/cb?code=a%20b');
    expect(appendQuery('/cb?x=1', { code: 'c', state: 's' })).toBe('/cb?x=1&code=c&state=s');
    expect(appendQuery('/cb', { state: null })).toBe('/cb');
  });
});
