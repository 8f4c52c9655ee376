import type { Request } from 'express';
import { clientAddress, clientUsedHttps, plainAddress, secureCookies, type ForwardingSettings } from './forwarded';

/** A request as forwarded.ts reads it: socket peer, X-Forwarded-For/-Proto, TLS or not. */
function fakeRequest(peer: string, headers: Record<string, string> = {}, encrypted = false): Request {
  return { socket: { remoteAddress: peer, remotePort: 40000, encrypted }, headers } as unknown as Request;
}

const none: ForwardingSettings = { trustedProxies: [], cookieSecure: 'auto' };
const lb: ForwardingSettings = { trustedProxies: ['10.0.0.0/8', 'fd00::/8', '192.0.2.1'], cookieSecure: 'auto' };

describe('clientAddress', () => {
  it('is the socket peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress(none, fakeRequest('127.0.0.1', { 'x-forwarded-for': '198.51.100.1' }))).toBe('127.0.0.1');
    expect(clientAddress(lb, fakeRequest('203.0.113.5', { 'x-forwarded-for': '198.51.100.1' }))).toBe('203.0.113.5');
  });

  it('is the right-most untrusted X-Forwarded-For address behind trusted proxies', () => {
    const req = fakeRequest('10.1.1.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.2.2.2' });
    expect(clientAddress(lb, req)).toBe('198.51.100.7');
  });

  it('handles IPv6 blocks, IPv4-mapped peers and several header lines', () => {
    expect(clientAddress(lb, fakeRequest('fd00::1', { 'x-forwarded-for': '2001:db8::5' }))).toBe('2001:db8::5');
    expect(clientAddress(lb, fakeRequest('::ffff:10.0.0.9', { 'x-forwarded-for': '::ffff:198.51.100.8' }))).toBe('198.51.100.8');
    const twoLines = { socket: { remoteAddress: '192.0.2.1', remotePort: 1 }, headers: { 'x-forwarded-for': ['198.51.100.1', '10.0.0.3'] } } as unknown as Request;
    expect(clientAddress(lb, twoLines)).toBe('198.51.100.1');
  });

  it('stops at a trusted hop that wrote something that is not an address', () => {
    expect(clientAddress(lb, fakeRequest('10.1.1.1', { 'x-forwarded-for': 'unknown, 10.3.3.3' }))).toBe('10.3.3.3');
    expect(clientAddress(lb, fakeRequest('10.1.1.1', { 'x-forwarded-for': '' }))).toBe('10.1.1.1');
  });

  it('is the left-most address when every hop is trusted', () => {
    expect(clientAddress(lb, fakeRequest('10.1.1.1', { 'x-forwarded-for': '10.5.5.5, 10.6.6.6' }))).toBe('10.5.5.5');
  });

  it('maps IPv4-mapped IPv6 to IPv4', () => {
    expect(plainAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(plainAddress('::1')).toBe('::1');
  });
});

describe('clientUsedHttps and secureCookies', () => {
  it('believes X-Forwarded-Proto of the hop that received the client, aligned from the right', () => {
    // client → LB (https, trusted) → another trusted proxy that appended http → hub
    const req = fakeRequest('10.1.1.1', { 'x-forwarded-for': '198.51.100.7, 10.2.2.2', 'x-forwarded-proto': 'https, http' });
    expect(clientUsedHttps(lb, req)).toBe(true);
    expect(secureCookies(lb, req)).toBe(true);
  });

  it('ignores an X-Forwarded-Proto the client wrote itself', () => {
    // The client sent "https"; the trusted proxy that received it over plain HTTP appended "http".
    const req = fakeRequest('10.1.1.1', { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https, http' });
    expect(clientUsedHttps(lb, req)).toBe(false);
    expect(clientUsedHttps(none, fakeRequest('127.0.0.1', { 'x-forwarded-proto': 'https' }))).toBe(false);
  });

  it('is true on a TLS socket, and cookieSecure true/false override auto', () => {
    expect(clientUsedHttps(none, fakeRequest('198.51.100.7', {}, true))).toBe(true);
    expect(secureCookies({ trustedProxies: [], cookieSecure: 'true' }, fakeRequest('127.0.0.1'))).toBe(true);
    expect(secureCookies({ trustedProxies: [], cookieSecure: 'false' }, fakeRequest('127.0.0.1', {}, true))).toBe(false);
  });
});
