import type { OAuthClientRecord, OAuthCodeRecord, Store, TokenRecord } from '../store';

/** Gives each contract test the store under test (fresh and empty for every test). */
export type StoreGetter = () => Store;

/** Input of `tokens.create`. */
export type TokenInput = Omit<TokenRecord, 'id' | 'created' | 'lastActivity'> & { created?: Date };

let counter = 0;

/** A valid token input owned by `userId`; `hash` defaults to a value unique per call. */
export function tokenInput(userId: number, overrides: Partial<TokenInput> = {}): TokenInput {
  counter += 1;
  return {
    kind: 'api',
    userId,
    serviceName: null,
    prefix: 'abcd',
    hash: `${counter.toString(16).padStart(8, '0')}${'0'.repeat(56)}`,
    scopes: [],
    note: '',
    expiresAt: null,
    sessionId: null,
    oauthClientId: null,
    serverId: null,
    ...overrides,
  };
}

/** A valid OAuth client. */
export function clientRecord(id: string, overrides: Partial<OAuthClientRecord> = {}): OAuthClientRecord {
  return {
    id,
    secretHash: 'f'.repeat(64),
    redirectUri: `/user/${id}/oauth_callback`,
    description: `Server ${id}`,
    allowedScopes: ['access:servers!server=alice/'],
    serverId: null,
    ...overrides,
  };
}

/** A valid authorization code for `clientId` and `userId`. */
export function codeRecord(codeHash: string, clientId: string, userId: number, overrides: Partial<OAuthCodeRecord> = {}): OAuthCodeRecord {
  return {
    codeHash,
    clientId,
    userId,
    scopes: ['identify'],
    redirectUri: '/user/alice/oauth_callback',
    sessionId: 'session-1',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    expiresAt: new Date('2030-01-01T00:00:10.250Z'),
    ...overrides,
  };
}

/** A JSON value exercising nesting, unicode, numbers, null and key order. */
export const RICH_JSON: Record<string, unknown> = {
  zeta: 1,
  alpha: { nested: [1, 2.5, -3e-7, 'x', null, true, false, { deep: 'ünïcødé ✓ 🚀' }] },
  empty: {},
  list: [],
  quote: 'it\'s "quoted" \\ back\nslash',
  big: 9007199254740991,
};
