/**
 * Routespec and target helpers shared by both proxy adapters. A routespec is an unescaped path that
 * starts and ends with `/`; a target is an `http(s)://host[:port]` URL (a path on the target is
 * prepended to the forwarded path, as configurable-http-proxy does).
 */

/** True when `value` is a well-formed routespec (`/`, `/user/alice/`). */
export function isRoutespec(value: string): boolean {
  return value.startsWith('/') && value.endsWith('/') && !value.includes('?') && !value.includes('#');
}

/** Throws a RangeError unless `value` is a well-formed routespec. */
export function assertRoutespec(value: string): void {
  if (!isRoutespec(value)) {
    throw new RangeError(`Invalid routespec ${JSON.stringify(value)}: it must start and end with '/'`);
  }
}

/**
 * The non-empty `/`-separated segments of a path (`/user//alice/` ⇒ `['user', 'alice']`): the unit of
 * longest-prefix matching, so `/user/alice/` matches `/user/alice` and `/user/alice/x` but not
 * `/user/alicex`.
 */
export function pathSegments(path: string): string[] {
  const segments: string[] = [];
  let start = 0;
  const length = path.length;
  for (let i = 0; i <= length; i++) {
    if (i === length || path.charCodeAt(i) === 47 /* '/' */) {
      if (i > start) segments.push(path.slice(start, i));
      start = i + 1;
    }
  }
  return segments;
}

/** A route target split into what the forwarders need. */
export interface ParsedTarget {
  /** True for `https:` targets. */
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
  /** Path of the target without its trailing `/` (`''` for the usual path-less target). */
  readonly pathPrefix: string;
}

/** Parses a route target; throws a RangeError for anything but an absolute http(s) URL. */
export function parseTarget(target: string): ParsedTarget {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new RangeError(`Invalid route target ${JSON.stringify(target)}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError(`Invalid route target ${JSON.stringify(target)}: only http and https are supported`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new RangeError(`Invalid route target ${JSON.stringify(target)}: no query, fragment or credentials allowed`);
  }
  const secure = url.protocol === 'https:';
  // URL keeps IPv6 literals bracketed; sockets want them bare.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const pathPrefix = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return { secure, hostname, port, pathPrefix };
}
