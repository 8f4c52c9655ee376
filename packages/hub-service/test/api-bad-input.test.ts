/**
 * Bad input on the REST API (protocol.md §1.3, §1.5, §5; T23): every rejected request is answered
 * with its 4xx status, `Content-Type: application/json`, the body `{code, message, status}` with
 * the stable code from `@clusterhub/shared`'s registry, and leaves the store exactly as it was.
 * Requests go out through node:http so paths (`..`, `%2e%2e`) and bodies are sent verbatim.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { ERROR_CODES, isErrorCode, type ErrorCode } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { snapshotStore } from './harness/store-snapshot';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { newToken, sha256Hex } from '../src/lib/secrets';

/** Body limit of the suite's hub: small, yet room for a 20,000-deep JSON document (2 bytes a level). */
const MAX_BODY = 64 * 1024;

/** `[[[…]]]` nested `depth` deep: small on the wire, deadly to a recursive JSON writer. */
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** Sends a request verbatim (path not normalized; body as given; chunked when asked). */
function send(base: string, opts: { method: string; path: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean }): Promise<RawReply> {
  const url = new URL(base);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.body && !opts.chunked) headers['content-length'] = String(opts.body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest({ host: url.hostname, port: url.port, method: opts.method, path: opts.path, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (opts.body && opts.chunked) {
      const half = Math.floor(opts.body.length / 2);
      req.write(opts.body.subarray(0, half));
      req.end(opts.body.subarray(half));
    } else req.end(opts.body);
  });
}

/** Checks the shape every API error shares and returns its code. */
function expectApiError(reply: RawReply, status: number, code: ErrorCode): void {
  expect({ status: reply.status, code: (JSON.parse(reply.text) as { code?: unknown }).code }).toEqual({ status, code });
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(reply.headers['x-jupyterhub-version']).toBe('6.1.1');
  const body = JSON.parse(reply.text) as Record<string, unknown>;
  expect(Object.keys(body).filter((k) => k !== 'details').sort()).toEqual(['code', 'message', 'status']);
  expect(body.status).toBe(status);
  expect(typeof body.message).toBe('string');
  expect(String(body.message).length).toBeGreaterThan(0);
  expect(isErrorCode(body.code)).toBe(true);
  expect(ERROR_CODES[code].status).toBe(status);
}

type Who = 'admin' | 'alice' | 'bob' | 'expired' | 'unknown' | 'empty' | 'none';

interface BadCase {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly who: Who;
  /** JSON-encoded unless `raw` is given. */
  readonly json?: unknown;
  readonly raw?: Buffer;
  readonly contentType?: string;
  readonly chunked?: boolean;
  readonly status: number;
  readonly code: ErrorCode;
}

const big = (n: number): unknown => ({ usernames: ['x'], pad: 'p'.repeat(n) });
const long255 = `u${'x'.repeat(254)}`;
const long256 = `u${'x'.repeat(255)}`;

const CASES: readonly BadCase[] = [
  // malformed JSON and bodies that are not JSON
  { label: 'truncated JSON', method: 'POST', path: '/hub/api/users', who: 'admin', raw: Buffer.from('{"usernames": ['), status: 400, code: 'invalid_json' },
  { label: 'JSON with bare words', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', raw: Buffer.from('{profile: cpu}'), status: 400, code: 'invalid_json' },
  { label: 'invalid UTF-8', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'alice', raw: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), status: 400, code: 'invalid_json' },
  { label: 'a lone quote on PATCH', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', raw: Buffer.from("'"), status: 400, code: 'invalid_json' },
  { label: 'a form body', method: 'POST', path: '/hub/api/users', who: 'admin', raw: Buffer.from('usernames=x'), contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
  // unknown fields
  { label: 'unknown field on bulk user create', method: 'POST', path: '/hub/api/users', who: 'admin', json: { usernames: ['newbie'], colour: 'red' }, status: 400, code: 'unknown_field' },
  { label: 'unknown field on user create', method: 'POST', path: '/hub/api/users/newbie', who: 'admin', json: { admin: false, extra: 1 }, status: 400, code: 'unknown_field' },
  { label: 'unknown field on user patch', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: { nickname: 'b' }, status: 400, code: 'unknown_field' },
  { label: 'unknown field on token create', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'alice', json: { note: 'x', secret: 'y' }, status: 400, code: 'unknown_field' },
  { label: 'unknown field on group create', method: 'POST', path: '/hub/api/groups', who: 'admin', json: { groups: ['newg'], members: ['alice'] }, status: 400, code: 'unknown_field' },
  { label: 'unknown field on group membership', method: 'POST', path: '/hub/api/groups/team/users', who: 'admin', json: { users: ['bob'], admin: true }, status: 400, code: 'unknown_field' },
  { label: 'unknown field next to user_options', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', json: { user_options: {}, extra: 1 }, status: 400, code: 'unknown_field' },
  { label: 'unknown field on activity', method: 'POST', path: '/hub/api/users/alice/activity', who: 'alice', json: { last_activity: '2024-01-01T00:00:00Z', cpu: 1 }, status: 400, code: 'unknown_field' },
  // wrong types and values
  { label: 'usernames as a string', method: 'POST', path: '/hub/api/users', who: 'admin', json: { usernames: 'newbie' }, status: 400, code: 'validation_failed' },
  { label: 'usernames as numbers', method: 'POST', path: '/hub/api/users', who: 'admin', json: { usernames: [1, 2] }, status: 400, code: 'validation_failed' },
  { label: 'body as an array', method: 'POST', path: '/hub/api/users/newbie', who: 'admin', json: ['admin'], status: 400, code: 'validation_failed' },
  { label: 'admin as a string', method: 'POST', path: '/hub/api/users/newbie', who: 'admin', json: { admin: 'yes' }, status: 400, code: 'validation_failed' },
  { label: 'admin as a number on patch', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: { admin: 1 }, status: 400, code: 'validation_failed' },
  { label: 'empty patch', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: {}, status: 400, code: 'validation_failed' },
  { label: 'expires_in as a string', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'alice', json: { expires_in: 'soon' }, status: 400, code: 'validation_failed' },
  { label: 'negative expires_in', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'alice', json: { expires_in: -5 }, status: 400, code: 'validation_failed' },
  { label: 'expires_in 0 (JupyterHub: must be positive)', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'alice', json: { expires_in: 0 }, status: 400, code: 'validation_failed' },
  { label: 'expires_in 1e20', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'alice', raw: Buffer.from('{"expires_in": 1e20}'), status: 400, code: 'validation_failed' },
  { label: 'expires_in 100000000000000000000', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'admin', raw: Buffer.from('{"expires_in": 100000000000000000000}'), status: 400, code: 'validation_failed' },
  { label: 'scopes and roles together', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'alice', json: { scopes: ['read:users!user=alice'], roles: ['user'] }, status: 400, code: 'validation_failed' },
  { label: 'admin null on patch', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: { admin: null }, status: 400, code: 'validation_failed' },
  { label: 'name null on patch', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: { name: null }, status: 400, code: 'validation_failed' },
  { label: 'name and admin null on patch', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: { name: null, admin: null }, status: 400, code: 'validation_failed' },
  { label: 'scopes as a string', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'alice', json: { scopes: 'read:users' }, status: 400, code: 'validation_failed' },
  { label: 'user_options as an array', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', json: { user_options: [1] }, status: 400, code: 'validation_failed' },
  { label: 'profile as a number', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', json: { user_options: { profile: 5 } }, status: 400, code: 'validation_failed' },
  { label: 'display_name as a number', method: 'POST', path: '/hub/api/users/bob/servers/nb', who: 'admin', json: { display_name: 5 }, status: 400, code: 'validation_failed' },
  { label: 'start body as an array', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', json: [1, 2], status: 400, code: 'validation_failed' },
  { label: 'start body as a string', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', json: 'cpu-default', status: 400, code: 'validation_failed' },
  { label: 'stop body as an array', method: 'DELETE', path: '/hub/api/users/alice/server', who: 'admin', json: [true], status: 400, code: 'validation_failed' },
  { label: 'group properties as an array', method: 'PUT', path: '/hub/api/groups/team/properties', who: 'admin', json: [1], status: 400, code: 'validation_failed' },
  { label: 'groups as a string', method: 'POST', path: '/hub/api/groups', who: 'admin', json: { groups: 'newg' }, status: 400, code: 'validation_failed' },
  { label: 'empty membership list', method: 'POST', path: '/hub/api/groups/team/users', who: 'admin', json: { users: [] }, status: 400, code: 'validation_failed' },
  { label: 'activity in the far future', method: 'POST', path: '/hub/api/users/alice/activity', who: 'alice', json: { last_activity: '2999-01-01T00:00:00Z' }, status: 400, code: 'validation_failed' },
  { label: 'activity not a timestamp', method: 'POST', path: '/hub/api/users/alice/activity', who: 'alice', json: { last_activity: 'yesterday' }, status: 400, code: 'validation_failed' },
  { label: 'activity for an unknown server', method: 'POST', path: '/hub/api/users/alice/activity', who: 'alice', json: { servers: { nope: { last_activity: '2024-01-01T00:00:00Z' } } }, status: 400, code: 'bad_request' },
  { label: 'a non-integer limit', method: 'GET', path: '/hub/api/users?limit=ten', who: 'admin', status: 400, code: 'invalid_query' },
  { label: 'an unknown state filter', method: 'GET', path: '/hub/api/users?state=happy', who: 'admin', status: 400, code: 'invalid_query' },
  // documents nested too deep (a recursive JSON writer would overflow the stack after a row was written)
  { label: 'user_options nested 20,000 deep on a start', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', raw: Buffer.from(`{"user_options": {"x": ${nested(20_000)}}}`), status: 400, code: 'json_too_deep' },
  { label: 'user_options nested 20,000 deep on a new named server', method: 'POST', path: '/hub/api/users/bob/servers/deep', who: 'bob', raw: Buffer.from(`{"user_options": {"x": ${nested(20_000)}}}`), status: 400, code: 'json_too_deep' },
  { label: 'user_options nested 20,000 deep on PUT', method: 'PUT', path: '/hub/api/users/bob/servers/deep', who: 'admin', raw: Buffer.from(`{"user_options": {"x": ${nested(20_000)}}}`), status: 400, code: 'json_too_deep' },
  { label: 'a 5.x start body 65 levels deep', method: 'POST', path: '/hub/api/users/bob/server', who: 'bob', raw: Buffer.from(nested(65)), status: 400, code: 'json_too_deep' },
  { label: 'group properties nested 20,000 deep', method: 'PUT', path: '/hub/api/groups/team/properties', who: 'admin', raw: Buffer.from(`{"p": ${nested(20_000)}}`), status: 400, code: 'json_too_deep' },
  // a start refused by the active-server limit (1, taken by alice) must not leave a server row behind
  { label: 'a start over the active-server limit', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', json: { user_options: {} }, status: 429, code: 'active_server_limit' },
  { label: 'a new named server over the active-server limit', method: 'POST', path: '/hub/api/users/bob/servers/extra', who: 'bob', json: { user_options: {} }, status: 429, code: 'active_server_limit' },
  // oversized bodies
  { label: 'oversized body with Content-Length', method: 'POST', path: '/hub/api/users', who: 'admin', json: big(MAX_BODY), status: 413, code: 'payload_too_large' },
  { label: 'oversized chunked body', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', json: { user_options: { pad: 'p'.repeat(MAX_BODY + 500) } }, chunked: true, status: 413, code: 'payload_too_large' },
  { label: 'oversized group properties', method: 'PUT', path: '/hub/api/groups/team/properties', who: 'admin', json: { blob: 'b'.repeat(MAX_BODY * 4) }, status: 413, code: 'payload_too_large' },
  // bad, expired and other users' credentials
  { label: 'no credentials on bulk create', method: 'POST', path: '/hub/api/users', who: 'none', json: { usernames: ['newbie'] }, status: 403, code: 'not_authenticated' },
  { label: 'an unknown token on a start', method: 'POST', path: '/hub/api/users/bob/server', who: 'unknown', status: 403, code: 'not_authenticated' },
  { label: 'an empty token on a stop', method: 'DELETE', path: '/hub/api/users/alice/server', who: 'empty', status: 403, code: 'not_authenticated' },
  { label: 'an expired token on a stop', method: 'DELETE', path: '/hub/api/users/alice/server', who: 'expired', status: 403, code: 'not_authenticated' },
  { label: 'an expired token creating a token', method: 'POST', path: '/hub/api/users/alice/tokens', who: 'expired', json: {}, status: 403, code: 'not_authenticated' },
  { label: "another user's token stopping alice", method: 'DELETE', path: '/hub/api/users/alice/server', who: 'bob', status: 404, code: 'not_found' },
  // JupyterHub answers token creation for another user, or for a missing one, with 403 (no scope check that could 404)
  { label: "another user's token creating alice's token", method: 'POST', path: '/hub/api/users/alice/tokens', who: 'bob', json: {}, status: 403, code: 'forbidden' },
  { label: 'a user token creating a token for a missing user', method: 'POST', path: '/hub/api/users/nobody/tokens', who: 'bob', json: {}, status: 403, code: 'forbidden' },
  { label: 'an admin token creating a token for a missing user', method: 'POST', path: '/hub/api/users/nobody/tokens', who: 'admin', json: {}, status: 403, code: 'forbidden' },
  { label: "another user's token reading alice's tokens", method: 'GET', path: '/hub/api/users/alice/tokens', who: 'bob', status: 404, code: 'not_found' },
  { label: "another user's token reporting alice's activity", method: 'POST', path: '/hub/api/users/alice/activity', who: 'bob', json: { last_activity: '2024-01-01T00:00:00Z' }, status: 404, code: 'not_found' },
  { label: 'a user token deleting a user', method: 'DELETE', path: '/hub/api/users/alice', who: 'bob', status: 403, code: 'forbidden' },
  { label: 'a user token making itself admin', method: 'PATCH', path: '/hub/api/users/bob', who: 'bob', json: { admin: true }, status: 403, code: 'forbidden' },
  { label: 'a user token joining a group', method: 'POST', path: '/hub/api/groups/team/users', who: 'bob', json: { users: ['bob'] }, status: 403, code: 'forbidden' },
  { label: 'a user token asking for admin scopes', method: 'POST', path: '/hub/api/users/bob/tokens', who: 'bob', json: { scopes: ['admin:users'] }, status: 400, code: 'invalid_scope' },
  // invalid and path-traversing user names
  { label: 'user name ..', method: 'POST', path: '/hub/api/users/..', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name %2e%2e', method: 'POST', path: '/hub/api/users/%2e%2e', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name a%2Fb', method: 'POST', path: '/hub/api/users/a%2Fb', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name ..%2F..%2Fetc', method: 'POST', path: '/hub/api/users/..%2F..%2Fetc', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name of 256 chars', method: 'POST', path: `/hub/api/users/${long256}`, who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name with a leading space', method: 'POST', path: '/hub/api/users/%20ab', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name with a trailing space', method: 'POST', path: '/hub/api/users/ab%20', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name with NUL', method: 'POST', path: '/hub/api/users/a%00b', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name with a newline', method: 'POST', path: '/hub/api/users/a%0Ab', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name ...', method: 'POST', path: '/hub/api/users/...', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'user name %252e%252e (dots once decoded)', method: 'POST', path: '/hub/api/users/%252e%252e', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'NUL in a bulk create', method: 'POST', path: '/hub/api/users', who: 'admin', json: { usernames: ['ok-name', 'a\u0000b'] }, status: 400, code: 'invalid_name' },
  { label: 'rename to a name with NUL', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: { name: 'b\u0000' }, status: 400, code: 'invalid_name' },
  { label: 'group name with a newline', method: 'POST', path: '/hub/api/groups', who: 'admin', json: { groups: ['a\nb'] }, status: 400, code: 'invalid_name' },
  { label: 'empty user name in a bulk create', method: 'POST', path: '/hub/api/users', who: 'admin', json: { usernames: [''] }, status: 400, code: 'invalid_name' },
  { label: 'one bad name in a bulk create', method: 'POST', path: '/hub/api/users', who: 'admin', json: { usernames: ['fine-name', '../etc'] }, status: 400, code: 'invalid_name' },
  { label: '256 chars in a bulk create', method: 'POST', path: '/hub/api/users', who: 'admin', json: { usernames: [long255, long256] }, status: 400, code: 'invalid_name' },
  { label: 'rename to ..', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: { name: '..' }, status: 400, code: 'invalid_name' },
  { label: 'rename to a/b', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: { name: 'a/b' }, status: 400, code: 'invalid_name' },
  { label: 'rename to empty', method: 'PATCH', path: '/hub/api/users/bob', who: 'admin', json: { name: '' }, status: 400, code: 'invalid_name' },
  { label: 'group name ../x', method: 'POST', path: '/hub/api/groups', who: 'admin', json: { groups: ['../x'] }, status: 400, code: 'invalid_name' },
  { label: 'group name %2e%2e', method: 'POST', path: '/hub/api/groups/%2e%2e', who: 'admin', status: 400, code: 'invalid_name' },
  { label: 'reading user ..', method: 'GET', path: '/hub/api/users/..', who: 'admin', status: 404, code: 'not_found' },
  { label: 'deleting user %2e%2e', method: 'DELETE', path: '/hub/api/users/%2e%2e', who: 'admin', status: 404, code: 'not_found' },
  { label: 'starting a server for user ..', method: 'POST', path: '/hub/api/users/../server', who: 'admin', status: 404, code: 'not_found' },
  // invalid and path-traversing server names
  { label: 'server name ..', method: 'POST', path: '/hub/api/users/bob/servers/..', who: 'admin', status: 400, code: 'invalid_server_name' },
  { label: 'server name %2e%2e', method: 'POST', path: '/hub/api/users/bob/servers/%2e%2e', who: 'admin', status: 400, code: 'invalid_server_name' },
  { label: 'server name a%2Fb', method: 'POST', path: '/hub/api/users/bob/servers/a%2Fb', who: 'admin', status: 400, code: 'invalid_server_name' },
  { label: 'server name ..%2F..%2Fx', method: 'POST', path: '/hub/api/users/bob/servers/..%2F..%2Fx', who: 'admin', status: 400, code: 'invalid_server_name' },
  { label: 'uppercase server name', method: 'POST', path: '/hub/api/users/bob/servers/GPU', who: 'admin', status: 400, code: 'invalid_server_name' },
  { label: 'server name of 31 chars', method: 'POST', path: `/hub/api/users/bob/servers/${'s'.repeat(31)}`, who: 'admin', status: 400, code: 'invalid_server_name' },
  { label: 'stopping server ..', method: 'DELETE', path: '/hub/api/users/bob/servers/..', who: 'admin', status: 404, code: 'not_found' },
  { label: 'removing the default server', method: 'DELETE', path: '/hub/api/users/alice/server', who: 'admin', json: { remove: true }, status: 400, code: 'bad_request' },
  // unknown profiles
  { label: 'unknown profile (6.x body)', method: 'POST', path: '/hub/api/users/bob/server', who: 'admin', json: { user_options: { profile: 'no-such' } }, status: 400, code: 'unknown_profile' },
  { label: 'unknown profile (5.x body)', method: 'POST', path: '/hub/api/users/bob/server', who: 'bob', json: { profile: 'no-such' }, status: 400, code: 'unknown_profile' },
  { label: 'unknown profile on a new named server', method: 'POST', path: '/hub/api/users/bob/servers/gpu', who: 'admin', json: { user_options: { profile: 'no-such' } }, status: 400, code: 'unknown_profile' },
  // second start of a running server
  { label: 'a second start of a running server', method: 'POST', path: '/hub/api/users/alice/server', who: 'admin', status: 400, code: 'server_running' },
  { label: 'a second start with other options', method: 'POST', path: '/hub/api/users/alice/server', who: 'alice', json: { user_options: { profile: 'gpu-1x' } }, status: 400, code: 'server_running' },
  // unknown endpoints
  { label: 'an unknown endpoint', method: 'POST', path: '/hub/api/users/alice/servers', who: 'admin', json: {}, status: 404, code: 'not_found' },
];

describe('REST bad input: stable error bodies, nothing changed', () => {
  const spawner = new FakeSpawner();
  let t: TestHub;
  const tokens: Partial<Record<Who, string>> = {};

  beforeAll(async () => {
    t = await startTestHub({ config: { hub: { maxBodyBytes: MAX_BODY, activeServerLimit: 1 } }, overrides: { spawner } });
    tokens.admin = t.adminToken;
    tokens.alice = await t.addUser('alice', { password: 'alice-password-1' });
    tokens.bob = await t.addUser('bob');
    tokens.unknown = newToken();
    const store = t.hub.context.store;
    const alice = await store.users.getByName('alice');
    const expired = newToken();
    await store.tokens.create({
      kind: 'api',
      userId: alice?.id ?? 0,
      serviceName: null,
      prefix: expired.slice(0, 4),
      hash: sha256Hex(expired),
      scopes: [],
      note: 'expired',
      expiresAt: new Date(Date.now() - 1000),
      sessionId: null,
      oauthClientId: 'jupyterhub',
      serverId: null,
    });
    tokens.expired = expired;
    const team = await store.groups.create({ name: 'team' });
    await store.groups.addMembers(team.id, [alice?.id ?? 0]);
    const start = await fetch(`${t.apiUrl}/users/alice/server`, { method: 'POST', headers: { authorization: `token ${t.adminToken}` } });
    expect(start.status).toBe(201);
  });
  afterAll(async () => {
    await fetch(`${t.apiUrl}/users/alice/server`, { method: 'DELETE', headers: { authorization: `token ${t.adminToken}` } });
    await t.stop();
    await spawner.close();
  });

  it.each(CASES.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const headers: Record<string, string> = {};
    if (c.who === 'empty') headers.authorization = 'token ';
    else if (c.who !== 'none') headers.authorization = `token ${tokens[c.who] ?? ''}`;
    const body = c.raw ?? (c.json === undefined ? undefined : Buffer.from(JSON.stringify(c.json)));
    if (body) headers['content-type'] = c.contentType ?? 'application/json';
    const before = await snapshotStore(t.hub.context.store);
    const startsBefore = spawner.requests.length;
    const reply = await send(t.internalUrl, { method: c.method, path: c.path, headers, body, chunked: c.chunked });
    expectApiError(reply, c.status, c.code);
    expect(await snapshotStore(t.hub.context.store)).toBe(before);
    expect(spawner.requests.length).toBe(startsBefore);
    expect(spawner.running()).toHaveLength(1);
  });

  describe('XSRF on cookie-authenticated API calls', () => {
    const browser = new BrowserClient();
    let xsrf = '';

    beforeAll(async () => {
      expect((await browser.login(t.internalUrl, 'alice', 'alice-password-1')).status).toBe(200);
      xsrf = (await browser.cookie(`${t.internalUrl}/hub/`, '_xsrf')) ?? '';
      expect(xsrf).not.toBe('');
    });

    const viaCookie = async (method: string, path: string, headers: Record<string, string>, json?: unknown): Promise<RawReply> => {
      const cookie = await browser.jar.getCookieString(`${t.internalUrl}${path}`);
      const all = { ...headers, cookie, ...(json === undefined ? {} : { 'content-type': 'application/json' }) };
      return send(t.internalUrl, { method, path, headers: all, body: json === undefined ? undefined : Buffer.from(JSON.stringify(json)) });
    };

    it.each([
      ['GET', '/hub/api/user', undefined],
      ['DELETE', '/hub/api/users/alice/server', undefined],
      ['POST', '/hub/api/users/alice/tokens', { note: 'via cookie' }],
    ] as const)('refuses %s %s without X-XSRFToken (xsrf_missing) and with a wrong one (xsrf_mismatch)', async (method, path, json) => {
      const before = await snapshotStore(t.hub.context.store);
      expectApiError(await viaCookie(method, path, {}, json), 403, 'xsrf_missing');
      expectApiError(await viaCookie(method, path, { 'x-xsrftoken': `${xsrf}x` }, json), 403, 'xsrf_mismatch');
      expectApiError(await viaCookie(method, `${path}?_xsrf=wrong-value-123456`, {}, json), 403, 'xsrf_mismatch');
      expect(await snapshotStore(t.hub.context.store)).toBe(before);
      expect(spawner.running()).toHaveLength(1);
    });

    it('accepts the call with the right X-XSRFToken (header or _xsrf query)', async () => {
      const who = await viaCookie('GET', '/hub/api/user', { 'x-xsrftoken': xsrf });
      expect(who.status).toBe(200);
      expect(JSON.parse(who.text)).toMatchObject({ name: 'alice' });
      expect((await viaCookie('GET', `/hub/api/user?_xsrf=${encodeURIComponent(xsrf)}`, {})).status).toBe(200);
      const created = await viaCookie('POST', '/hub/api/users/alice/tokens', { 'x-xsrftoken': xsrf }, { note: 'via cookie' });
      expect(created.status).toBe(201);
    });
  });
});
