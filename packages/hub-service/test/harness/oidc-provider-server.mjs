// A real OpenID Provider (npm oidc-provider) for tests, run as its own Node process because the
// package is ESM-only. Listens on a free loopback port and prints {"issuer": "..."} on stdout.
// Accounts and clients are read from the JSON file OIDC_STATE_FILE at each use, so a test can
// change a user's groups between logins. Development interactions: any password is accepted.
// GET /oauth2/user answers a plain OAuth2 client (no openid scope) with the account's claims.
// Refresh tokens (policy of this provider, as Keycloak's): issued to clients registered with the
// refresh_token grant, with or without offline_access; revoked at /token/revocation.
// Test tooling, not product code.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import Provider from 'oidc-provider';

const stateFile = process.env.OIDC_STATE_FILE;
const readState = () => JSON.parse(readFileSync(stateFile, 'utf8'));

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: readState().clients,
  async findAccount(_ctx, id) {
    const claims = readState().accounts[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email'],
    groups: ['groups', 'realm_access'],
  },
  scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
  pkce: { required: () => true },
  cookies: { keys: ['test-provider-cookie-key'] },
  features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
});
provider.on('server_error', (_ctx, err) => process.stderr.write(`provider error: ${err.stack}\n`));
// A plain OAuth2 "user API" (as GitHub's /user): the account's claims for a bearer access token,
// without the openid scope that the OIDC userinfo endpoint requires.
const oidcCallback = provider.callback();
server.on('request', (req, res) => {
  if (req.url !== '/oauth2/user') return oidcCallback(req, res);
  const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  void (async () => {
    const access = token ? await provider.AccessToken.find(token) : undefined;
    const claims = access ? readState().accounts[access.accountId] : undefined;
    res.writeHead(claims ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(claims ? { sub: access.accountId, ...claims } : { error: 'invalid_token' }));
  })();
});
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
