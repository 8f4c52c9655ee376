import { SessionCookieCodec, type SessionPayload } from './session-cookie';

const secret = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const MAX_AGE_S = 3600;
const NOW_MS = 1_700_000_000_000;
const payload: SessionPayload = { u: 7, s: 'session-abc', t: NOW_MS / 1000 };

describe('SessionCookieCodec', () => {
  const codec = new SessionCookieCodec(secret, MAX_AGE_S);

  it('round-trips a payload', () => {
    const value = codec.encode(payload);
    expect(value).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.decode(value, NOW_MS)).toEqual(payload);
  });

  it('refuses a tampered body', () => {
    const [, signature] = codec.encode(payload).split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, u: 1 })).toString('base64url');
    expect(codec.decode(`${forged}.${signature ?? ''}`, NOW_MS)).toBeNull();
  });

  it('refuses a tampered signature', () => {
    const value = codec.encode(payload);
    const last = value.slice(-1);
    const flipped = `${value.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    expect(codec.decode(flipped, NOW_MS)).toBeNull();
  });

  it('refuses a value signed with another secret', () => {
    const other = new SessionCookieCodec(Buffer.from('another secret of the same size!'), MAX_AGE_S);
    expect(codec.decode(other.encode(payload), NOW_MS)).toBeNull();
  });

  it('refuses a cookie older than the max age and accepts one exactly at it', () => {
    const value = codec.encode(payload);
    expect(codec.decode(value, NOW_MS + MAX_AGE_S * 1000)).toEqual(payload);
    expect(codec.decode(value, NOW_MS + MAX_AGE_S * 1000 + 1000)).toBeNull();
  });

  it.each([undefined, '', 'garbage', '.', '.sig', 'a.b.c', 'not-base64!.x'])('refuses garbage %p', (value) => {
    expect(codec.decode(value, NOW_MS)).toBeNull();
  });

  it('refuses a correctly signed body that is not a session payload', () => {
    // Sign arbitrary JSON the way the codec does, through a payload-shaped cast of a wrong object.
    const wrong = { u: 'seven', s: 1, t: 'now' } as unknown as SessionPayload;
    expect(codec.decode(codec.encode(wrong), NOW_MS)).toBeNull();
  });
});

describe('SessionCookieCodec XSRF tokens', () => {
  const codec = new SessionCookieCodec(secret, MAX_AGE_S);
  const T = NOW_MS / 1000;

  it('verifies a token for the binding it was issued for and returns its issue time', () => {
    const token = codec.xsrfToken('s:session-abc:7', T);
    expect(token).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(token).not.toContain('session-abc');
    expect(codec.xsrfIssuedAt(token, 's:session-abc:7')).toBe(T);
  });

  it('refuses a token issued for another session, user or anonymous browser', () => {
    const token = codec.xsrfToken('s:session-abc:7', T);
    expect(codec.xsrfIssuedAt(token, 's:session-xyz:7')).toBeNull();
    expect(codec.xsrfIssuedAt(token, 's:session-abc:8')).toBeNull();
    expect(codec.xsrfIssuedAt(codec.xsrfToken('a:browser-1', T), 'a:browser-2')).toBeNull();
  });

  it('refuses a token with a changed issue time, another secret, or a login-cookie signature', () => {
    const token = codec.xsrfToken('s:session-abc:7', T);
    const [, mac] = token.split('.');
    expect(codec.xsrfIssuedAt(`${(T + 1).toString(36)}.${mac ?? ''}`, 's:session-abc:7')).toBeNull();
    const other = new SessionCookieCodec(Buffer.from('another secret of the same size!'), MAX_AGE_S);
    expect(codec.xsrfIssuedAt(other.xsrfToken('s:session-abc:7', T), 's:session-abc:7')).toBeNull();
    expect(codec.xsrfIssuedAt(codec.encode(payload), 's:session-abc:7')).toBeNull();
  });

  it.each(['', 'x', 'abc', '123.', '.abc', 'A1.xxx', `${'z'.repeat(12)}.${'a'.repeat(43)}`])('refuses malformed %p', (value) => {
    expect(codec.xsrfIssuedAt(value, 's:session-abc:7')).toBeNull();
  });
});
