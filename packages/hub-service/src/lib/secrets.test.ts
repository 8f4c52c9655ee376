import { createHash } from 'node:crypto';
import { newToken, randomId, safeEqual, sha256Hex } from './secrets';

describe('secrets', () => {
  it('newToken: 32 lowercase hex characters, different each time', () => {
    const a = newToken();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(newToken()).not.toBe(a);
  });

  it('randomId: url-safe, length from the entropy asked for', () => {
    expect(randomId()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(randomId(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomId(8)).not.toBe(randomId(8));
  });

  it('sha256Hex: hex SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('x')).toBe(createHash('sha256').update('x').digest('hex'));
  });

  it('safeEqual: equal strings only, any lengths', () => {
    expect(safeEqual('same', 'same')).toBe(true);
    expect(safeEqual('same', 'Same')).toBe(false);
    expect(safeEqual('short', 'longer value')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('é', 'e')).toBe(false);
  });
});
