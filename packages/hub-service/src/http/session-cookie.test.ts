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
