/**
 * Slurm host lists (`vm`, `gpu[01-03,07]`, `a[1-2]-ib[0-1]`, `n1,gpu[2-3]`) expanded to node names,
 * as a pure function. Slurm prints node sets in this form in `NodeList=` and in the `Nodes=` of
 * `scontrol show job -d`.
 */

/** The most names one expression may expand to (a typo such as `n[1-999999999]` must not hang the hub). */
export const MAX_HOSTLIST_NAMES = 65_536;

/** A node name as Slurm allows it: letters, digits, `.`, `_`, `-`. */
const NODE_NAME = /^[A-Za-z0-9._-]+$/;

/** Splits on commas outside brackets. */
function topLevelItems(expression: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of expression) {
    if (ch === '[') depth += 1;
    if (ch === ']') depth -= 1;
    if (depth < 0 || depth > 1) throw new RangeError(`host list ${JSON.stringify(expression)} has unbalanced brackets`);
    if (ch === ',' && depth === 0) {
      items.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new RangeError(`host list ${JSON.stringify(expression)} has unbalanced brackets`);
  items.push(current);
  return items;
}

/** The values of one bracket (`01-03,07`), keeping the zero padding of each range's start. */
function rangeValues(body: string, expression: string): string[] {
  const values: string[] = [];
  for (const part of body.split(',')) {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(part);
    if (!m?.[1]) throw new RangeError(`host list ${JSON.stringify(expression)}: ${JSON.stringify(part)} is not a number or range`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first || last - first >= MAX_HOSTLIST_NAMES) throw new RangeError(`host list ${JSON.stringify(expression)}: bad range ${part}`);
    for (let n = first; n <= last; n += 1) values.push(String(n).padStart(m[1].length, '0'));
  }
  return values;
}

/** The names of one item (`gpu[01-02]-ib[0-1]`: the product of its brackets). */
function itemNames(item: string, expression: string): string[] {
  let names = [''];
  for (const m of item.matchAll(/([^[\]]*)(?:\[([^\]]*)\])?/g)) {
    if (m[0] === '') continue;
    const prefix = m[1] ?? '';
    const values = m[2] === undefined ? [''] : rangeValues(m[2], expression);
    names = names.flatMap((name) => values.map((value) => `${name}${prefix}${value}`));
    if (names.length > MAX_HOSTLIST_NAMES) throw new RangeError(`host list ${JSON.stringify(expression)} names more than ${MAX_HOSTLIST_NAMES} nodes`);
  }
  return names;
}

/**
 * The node names of a Slurm host list, in its order.
 *
 * @throws RangeError for an empty list, unbalanced brackets, a bad range, a name with characters
 *   Slurm does not allow, or more than {@link MAX_HOSTLIST_NAMES} names.
 */
export function expandHostlist(expression: string): string[] {
  if (expression === '') throw new RangeError('empty host list');
  const names = topLevelItems(expression).flatMap((item) => itemNames(item, expression));
  for (const name of names) if (!NODE_NAME.test(name)) throw new RangeError(`host list ${JSON.stringify(expression)}: ${JSON.stringify(name)} is not a node name`);
  if (names.length > MAX_HOSTLIST_NAMES) throw new RangeError(`host list ${JSON.stringify(expression)} names more than ${MAX_HOSTLIST_NAMES} nodes`);
  return names;
}
