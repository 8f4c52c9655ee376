/**
 * Checks and normalises the SSH transport's settings: the login node list, the pinned host key
 * fingerprints and the operator's private key. Pure apart from parsing the key. Errors name the key
 * of the setting (`ssh.hosts[1]`, …) so a config error points at the line to fix.
 */
import { createHash } from 'node:crypto';
import { utils, type ParsedKey } from 'ssh2';

/** One login node. */
export interface LoginNode {
  readonly host: string;
  readonly port: number;
  /** `host:port` (`[v6]:port`), for logs and errors. */
  readonly label: string;
}

const DEFAULT_SSH_PORT = 22;
/** `SHA256:` and 43 characters of unpadded base64: the `ssh-keygen -lf` form. */
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
/** A host name or IPv4 address (no spaces, colons, slashes or shell characters). */
const HOST_NAME = /^[A-Za-z0-9._-]+$/;
/** An IPv6 address inside brackets. */
const IPV6 = /^[0-9A-Fa-f:.]+$/;

/** The OpenSSH fingerprint of a public key blob: `SHA256:` and the unpadded base64 of its SHA-256. */
export function keyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Parses one `port` text; NaN when it is not a port number. */
function parsePort(text: string): number {
  return /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * Parses `host[:port]` (or `[v6addr][:port]`).
 *
 * @throws Error naming `key` when it is not such a value.
 */
export function parseLoginNode(value: string, key: string): LoginNode {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(value);
  const parts = value.split(':');
  const host = bracketed !== null ? (bracketed[1] ?? '') : (parts[0] ?? '');
  const portText = bracketed !== null ? bracketed[2] : parts[1];
  const validHost = bracketed !== null ? IPV6.test(host) && host.includes(':') : HOST_NAME.test(host) && parts.length <= 2;
  const port = portText === undefined ? DEFAULT_SSH_PORT : parsePort(portText);
  if (!validHost || !(port >= 1 && port <= 65535)) {
    throw new Error(`${key} must be a login node as host or host:port (e.g. login1.cluster.example:22), not ${JSON.stringify(value)}`);
  }
  return { host, port, label: bracketed !== null ? `[${host}]:${port}` : `${host}:${port}` };
}

/**
 * Parses the login node list, tried in this order.
 *
 * @throws Error naming `key` when it is empty or holds a bad or repeated entry.
 */
export function parseLoginNodes(values: readonly string[], key: string): readonly LoginNode[] {
  if (values.length === 0) throw new Error(`${key} must name at least one login node`);
  const nodes = values.map((value, i) => parseLoginNode(value, `${key}[${i}]`));
  const labels = new Set<string>();
  nodes.forEach((node, i) => {
    if (labels.has(node.label)) throw new Error(`${key}[${i}] repeats login node ${node.label}`);
    labels.add(node.label);
  });
  return nodes;
}

/**
 * Checks pinned host key fingerprints (`SHA256:<base64>`, as `ssh-keygen -lf` prints them; a
 * trailing `=` padding is accepted and dropped).
 *
 * @throws Error naming `key` for anything else (e.g. an MD5 fingerprint or a whole public key).
 */
export function parsePinnedKeys(values: readonly string[], key: string): ReadonlySet<string> {
  return new Set(
    values.map((value, i) => {
      const fingerprint = value.trim().replace(/=+$/, '');
      if (!FINGERPRINT.test(fingerprint)) {
        throw new Error(`${key}[${i}] must be a SHA256 host key fingerprint as ssh-keygen -lf prints it (SHA256:…, 43 characters of base64), not ${JSON.stringify(value)}`);
      }
      return fingerprint;
    }),
  );
}

/**
 * Checks that `privateKey` is the content of an unencrypted private key ssh2 can use (OpenSSH,
 * PEM or PuTTY format). The key itself never appears in the message.
 *
 * @throws Error naming `key` otherwise.
 */
export function checkPrivateKey(privateKey: string, key: string): void {
  const parsed: ParsedKey | ParsedKey[] | Error = utils.parseKey(privateKey);
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (first === undefined || first instanceof Error) {
    const reason = first instanceof Error ? first.message : 'no key found';
    throw new Error(`${key} must hold the content of an unencrypted private key: ${reason}`);
  }
  if (!first.isPrivateKey()) throw new Error(`${key} holds a public key; the private key is needed`);
}
