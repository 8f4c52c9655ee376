import { createHash } from 'node:crypto';

/**
 * Kubernetes object names and label values for hub names. A hub user name may hold almost
 * anything (`ann+lab@uni.example`, spaces, non-ASCII letters, 255 characters; shared/names.ts);
 * Kubernetes wants DNS labels: at most 63 of `a-z`, `0-9` and `-`, starting and ending with a letter
 * or digit. The mapping keeps simple names readable (`jupyter-alice`, `claim-alice`) and stays
 * one-to-one:
 *
 * - a name made of lowercase letters and digits in hyphen-separated runs (`alice`, `ann-lee`, no
 *   `--`) is used as it is, and the parts of an object name are joined with `--`, so they can be
 *   told apart again (`jupyter-alice--gpu` is user `alice`, server `gpu`);
 * - anything else (or a result longer than 63) becomes its cleaned-up text cut short, then `---`
 *   and 8 hex digits of a SHA-256 of the exact parts (`jupyter-ann-lab-uni-example---1f2e3d4c`).
 *   A name of the first kind never contains `---`, so the two kinds never meet.
 */

/** The longest DNS label (RFC 1123) and label value. */
export const MAX_DNS_LABEL = 63;

const SAFE_PART = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HASH_LENGTH = 8;

/** True when `value` is a valid DNS label (RFC 1123): what pod, PVC and service names must be here. */
export function isDnsLabel(value: string): boolean {
  return DNS_LABEL.test(value);
}

/** True when `part` can appear unchanged in a name: lowercase letters and digits, single inner hyphens. */
export function isSafePart(part: string): boolean {
  return SAFE_PART.test(part);
}

function hashOf(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, HASH_LENGTH);
}

function cleaned(part: string): string {
  return part
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * A DNS label for `prefix` and the (non-empty) `parts`: `prefix-part1--part2` when every part is safe
 * and it fits, else a shortened readable form with a hash of the parts (see the module comment).
 * `prefix` must itself be safe and short (a constant such as `jupyter` or `claim`).
 */
export function dnsLabel(prefix: string, parts: readonly string[]): string {
  const plain = `${prefix}-${parts.join('--')}`;
  if (parts.every(isSafePart) && plain.length <= MAX_DNS_LABEL) return plain;
  const suffix = `---${hashOf(parts)}`;
  const readable = `${prefix}-${parts.map(cleaned).filter((p) => p !== '').join('--')}`
    .slice(0, MAX_DNS_LABEL - suffix.length)
    .replace(/-+$/, '');
  return `${readable}${suffix}`;
}

/**
 * A label value for a hub name (`hub.jupyter.org/username`): the name itself when it is safe, else
 * the cleaned form with a hash, like {@link dnsLabel} without a prefix. The exact name goes into an
 * annotation beside it.
 */
export function labelValue(name: string): string {
  if (name === '') return '';
  if (isSafePart(name) && name.length <= MAX_DNS_LABEL) return name;
  const suffix = `---${hashOf([name])}`;
  const readable = cleaned(name).slice(0, MAX_DNS_LABEL - suffix.length).replace(/-+$/, '');
  return readable === '' ? suffix.slice(3) : `${readable}${suffix}`;
}

/** The pod's name for a user's server (`''` is the default server): `jupyter-alice`, `jupyter-alice--gpu`. */
export function podName(userName: string, serverName: string): string {
  return dnsLabel('jupyter', serverName === '' ? [userName] : [userName, serverName]);
}

/**
 * A PVC name from a template such as `claim-{username}` (KubeSpawner's default) or
 * `claim-{username}--{servername}`: the placeholders become DNS-safe forms of the names.
 *
 * @throws Error when the template cannot give a DNS label (it must start with a lowercase letter or
 *   digit and hold only `a-z`, `0-9`, `-` and the placeholders).
 */
export function pvcName(template: string, userName: string, serverName: string): string {
  const literal = template.replace(/\{username\}|\{servername\}/g, '');
  if (!/^[a-z0-9-]*$/.test(literal) || !template.includes('{username}')) {
    throw new Error(`PVC name template ${JSON.stringify(template)} must contain {username} and only a-z, 0-9, - besides`);
  }
  // The default server (`''`) drops the separator a template puts before {servername}.
  const direct = template.replace(/\{username\}/g, userName).replace(/\{servername\}/g, serverName).replace(/-+$/, '');
  if (isDnsLabel(direct) && isSafePart(userName) && (serverName === '' || isSafePart(serverName))) return direct;
  const suffix = `---${hashOf([template, userName, serverName])}`;
  const readable = template
    .replace(/\{username\}/g, cleaned(userName))
    .replace(/\{servername\}/g, cleaned(serverName))
    .replace(/-{2,}$/, '')
    .slice(0, MAX_DNS_LABEL - suffix.length)
    .replace(/^-+|-+$/g, '');
  const name = readable === '' ? suffix.slice(3) : `${readable}${suffix}`;
  if (!isDnsLabel(name)) throw new Error(`PVC name template ${JSON.stringify(template)} gives no valid name for ${JSON.stringify(userName)}`);
  return name;
}
