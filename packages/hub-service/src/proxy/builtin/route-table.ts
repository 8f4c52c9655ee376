import type { RouteData } from '../proxy';
import { pathSegments, type ParsedTarget } from '../routespec';

/** One route of the built-in proxy, as the forwarders see it. */
export interface RouteEntry {
  readonly routespec: string;
  readonly target: string;
  readonly parsedTarget: ParsedTarget;
  readonly data: RouteData;
  /** Epoch milliseconds of the last recorded traffic (mutated in place by the activity recorder). */
  lastActivityMs: number;
}

/** A trie node: one path segment. */
interface TrieNode {
  children: Map<string, TrieNode> | null;
  entry: RouteEntry | null;
}

function emptyNode(): TrieNode {
  return { children: null, entry: null };
}

/**
 * The routing table: a trie keyed by path segments for longest-prefix lookup in O(path length),
 * independent of the number of routes, plus a flat map for listing and exact access.
 * `/` is the root node and so the catch-all.
 */
export class RouteTable {
  private readonly root: TrieNode = emptyNode();
  private readonly byRoutespec = new Map<string, RouteEntry>();

  /** Number of routes. */
  get size(): number {
    return this.byRoutespec.size;
  }

  /** Adds or replaces the route stored under `entry.routespec`. */
  set(entry: RouteEntry): void {
    let node = this.root;
    for (const segment of pathSegments(entry.routespec)) {
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (child === undefined) {
        child = emptyNode();
        node.children.set(segment, child);
      }
      node = child;
    }
    node.entry = entry;
    this.byRoutespec.set(entry.routespec, entry);
  }

  /** The route stored under exactly `routespec`, if any. */
  get(routespec: string): RouteEntry | undefined {
    return this.byRoutespec.get(routespec);
  }

  /** Removes the route; returns false when there was none. Prunes trie nodes left empty. */
  delete(routespec: string): boolean {
    if (!this.byRoutespec.delete(routespec)) return false;
    const trail: Array<{ node: TrieNode; segment: string }> = [];
    let node = this.root;
    for (const segment of pathSegments(routespec)) {
      const child = node.children?.get(segment);
      if (child === undefined) return true;
      trail.push({ node, segment });
      node = child;
    }
    node.entry = null;
    for (let i = trail.length - 1; i >= 0; i--) {
      const step = trail[i];
      if (step === undefined) break;
      const child = step.node.children?.get(step.segment);
      if (child === undefined || child.entry !== null || (child.children !== null && child.children.size > 0)) break;
      step.node.children?.delete(step.segment);
    }
    return true;
  }

  /**
   * The route with the longest routespec that is a segment-wise prefix of `path` (an unescaped
   * request path without query), or null when no route (not even `/`) matches.
   */
  match(path: string): RouteEntry | null {
    let node: TrieNode | undefined = this.root;
    let best = node.entry;
    let start = 0;
    const length = path.length;
    for (let i = 0; i <= length && node !== undefined; i++) {
      if (i === length || path.charCodeAt(i) === 47 /* '/' */) {
        if (i > start) {
          node = node.children?.get(path.slice(start, i));
          if (node !== undefined && node.entry !== null) best = node.entry;
        }
        start = i + 1;
      }
    }
    return best;
  }

  /** Every route, in insertion order. */
  entries(): IterableIterator<RouteEntry> {
    return this.byRoutespec.values();
  }
}
