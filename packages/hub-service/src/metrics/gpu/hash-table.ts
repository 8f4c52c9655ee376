/**
 * The table format of `nvidia-smi dmon` and `pmon`: whitespace-separated columns under `#` header
 * lines, the first of each pair naming the columns, the second giving their units (the tools
 * repeat the pair now and then). Rows are read by column name.
 */
import { NvidiaSmiParseError } from './values';

/** One row: its cells by column name, and each column's unit. */
export interface HashTableRow {
  /** The cell of a column; undefined when the table has no such column. */
  readonly cell: (name: string) => string | undefined;
  /** The unit of a column from the units line (`''` when none). */
  readonly unitOf: (name: string) => string;
}

function headerCells(line: string): string[] {
  return line.replace(/^#/, '').trim().split(/\s+/);
}

/**
 * Reads the rows of a `#`-headed table.
 *
 * @param lastTakesRest the last column may hold spaces (pmon's command): extra cells join it.
 * @throws NvidiaSmiParseError when a row comes before the header or has too few (or, unless
 *   `lastTakesRest`, too many) cells.
 */
export function readHashTable(text: string, tool: string, lastTakesRest = false): HashTableRow[] {
  let names: string[] | null = null;
  let units: string[] = [];
  let headerLines = 0;
  const rows: HashTableRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      if (headerLines % 2 === 0) names = headerCells(line);
      else units = headerCells(line);
      headerLines += 1;
      continue;
    }
    const cells = line.trim().split(/\s+/);
    const fits = names !== null && (cells.length === names.length || (lastTakesRest && cells.length > names.length));
    if (!names || !fits) throw new NvidiaSmiParseError(`${tool} row does not match its header: ${JSON.stringify(line)}`);
    const header = names;
    const last = header.length - 1;
    const values = [...cells.slice(0, last), cells.slice(last).join(' ')];
    const columnUnits = units;
    rows.push({
      cell: (name) => {
        const i = header.indexOf(name);
        return i < 0 ? undefined : values[i];
      },
      unitOf: (name) => columnUnits[header.indexOf(name)] ?? '',
    });
  }
  return rows;
}
