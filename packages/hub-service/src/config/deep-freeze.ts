/**
 * Freezes a plain data value and everything reachable from it (objects and arrays); returns it.
 * Shared or repeated references are visited once.
 */
export function deepFreeze<T>(value: T): T {
  const seen = new WeakSet<object>();
  const pending: unknown[] = [value];
  // Bounded: each object is pushed at most once per reference to it and visited once.
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    Object.freeze(current);
    for (const child of Object.values(current)) pending.push(child);
  }
  return value;
}
