/**
 * Who the client is and how it reached us, behind proxies. X-Forwarded-For/-Proto are believed
 * only as far as they were written by a trusted hop: the in-process built-in proxy (recognised by
 * its own connection, not by its loopback address, which a user's server shares) or an address in
 * `hub.trustedProxies`. The client is the right-most address of X-Forwarded-For that is not a
 * trusted hop, as in every proxy-aware server; anything left of it is whatever the client wrote.
 */
import { BlockList, isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import { isBuiltinProxyConnection } from '../proxy/builtin/own-connections';

/** The settings this file reads (`hub.trustedProxies`, `hub.cookieSecure`). */
export interface ForwardingSettings {
  /** CIDR blocks (or single addresses) of proxies in front of the hub whose X-Forwarded-* are believed. */
  readonly trustedProxies: readonly string[];
  /** `auto`: Secure cookies when the client reached us over HTTPS; `true`/`false`: always/never. */
  readonly cookieSecure: 'auto' | 'true' | 'false';
}

/** `::ffff:1.2.3.4` as `1.2.3.4`; other addresses unchanged. */
export function plainAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

const listCache = new WeakMap<readonly string[], BlockList>();

/** A BlockList of the configured trusted proxies (built once per config list). */
function trustedList(cidrs: readonly string[]): BlockList {
  let list = listCache.get(cidrs);
  if (list) return list;
  list = new BlockList();
  for (const entry of cidrs) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const prefix = bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits);
    list.addSubnet(plainAddress(address), prefix, family);
  }
  listCache.set(cidrs, list);
  return list;
}

/** True when `address` is one of `hub.trustedProxies`. */
function inTrustedList(settings: ForwardingSettings, address: string): boolean {
  const plain = plainAddress(address);
  const family = isIP(plain);
  if (family === 0 || settings.trustedProxies.length === 0) return false;
  return trustedList(settings.trustedProxies).check(plain, family === 6 ? 'ipv6' : 'ipv4');
}

/** Comma-separated values of a header, trimmed, in order. */
function headerList(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/** The resolved client hop: its address, and its position in X-Forwarded-For (-1: the socket peer). */
interface ClientHop {
  readonly address: string;
  readonly index: number;
  readonly forwarded: readonly string[];
}

function clientHop(settings: ForwardingSettings, req: Request): ClientHop {
  const socket = req.socket;
  const peer = plainAddress(socket.remoteAddress ?? '');
  const forwarded = headerList(req.headers['x-forwarded-for']).map(plainAddress);
  if (!isBuiltinProxyConnection(socket.remoteAddress, socket.remotePort) && !inTrustedList(settings, peer)) {
    return { address: peer, index: -1, forwarded };
  }
  let address = peer;
  let index = -1;
  for (let i = forwarded.length - 1; i >= 0; i -= 1) {
    const hop = forwarded[i] ?? '';
    // A trusted hop wrote something that is not an address: stop at the hop that wrote it.
    if (isIP(hop) === 0) break;
    address = hop;
    index = i;
    if (!inTrustedList(settings, hop)) break;
  }
  return { address, index, forwarded };
}

/** The client's address: the socket peer, or the right-most untrusted X-Forwarded-For hop behind trusted proxies. */
export function clientAddress(settings: ForwardingSettings, req: Request): string {
  return clientHop(settings, req).address;
}

/**
 * True when the client reached the hub over HTTPS: a TLS socket, or the X-Forwarded-Proto value
 * written by the trusted hop that received the client's request (values align with
 * X-Forwarded-For from the right, since each proxy appends one of each).
 */
export function clientUsedHttps(settings: ForwardingSettings, req: Request): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  const hop = clientHop(settings, req);
  if (hop.index < 0) return false;
  const protos = headerList(req.headers['x-forwarded-proto']);
  const fromRight = hop.forwarded.length - 1 - hop.index;
  return (protos[protos.length - 1 - fromRight] ?? '').toLowerCase() === 'https';
}

/** Whether the hub's cookies get the `Secure` attribute on this response (`hub.cookieSecure`). */
export function secureCookies(settings: ForwardingSettings, req: Request): boolean {
  if (settings.cookieSecure === 'true') return true;
  if (settings.cookieSecure === 'false') return false;
  return clientUsedHttps(settings, req);
}
