/**
 * The connections the in-process built-in proxy opens to its targets, by local address and port.
 * The hub asks {@link isBuiltinProxyConnection} whether a request came through our own proxy, so it
 * trusts the X-Forwarded-* headers the proxy set and nobody else's: a user's server on the same
 * host also connects from loopback, but never from a port one of these sockets holds.
 */
import type { Socket } from 'node:net';

const open = new Set<string>();
const tracked = new WeakSet<Socket>();

function key(address: string | undefined, port: number | undefined): string | null {
  if (!address || !port) return null;
  return `${address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')}|${port}`;
}

/** Remembers `socket` (an upstream connection of the proxy) from connect until close. */
export function trackProxyConnection(socket: Socket): void {
  if (tracked.has(socket)) return;
  tracked.add(socket);
  const remember = (): void => {
    const k = key(socket.localAddress, socket.localPort);
    if (k === null) return;
    open.add(k);
    socket.once('close', () => open.delete(k));
  };
  if (socket.connecting) socket.once('connect', remember);
  else remember();
}

/** True when the peer `address`:`port` is an open upstream connection of the in-process built-in proxy. */
export function isBuiltinProxyConnection(address: string | undefined, port: number | undefined): boolean {
  const k = key(address, port);
  return k !== null && open.has(k);
}
