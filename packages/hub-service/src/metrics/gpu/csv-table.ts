/**
 * The table nvidia-smi prints for `--query-gpu=…` and `--query-compute-apps=…` with
 * `--format=csv[,noheader][,nounits]`: one line per row, cells separated by `, `, and (unless
 * `noheader`) a header line naming each column, with its unit in brackets (`memory.used [MiB]`).
 * Columns are mapped by name, never by position, so any field list and order is read.
 */
import { NvidiaSmiParseError } from './values';

/** A parsed table: for each row, the cell text by canonical field name. */
export interface QueryTable {
  /** Canonical field names, in column order. */
  readonly fields: readonly string[];
  /** Unit of each field that the header gave one (`MiB`, `%`, `W`); absent with `nounits`/`noheader`. */
  readonly units: ReadonlyMap<string, string>;
  /** The rows: cell text by canonical field name. */
  readonly rows: readonly ReadonlyMap<string, string>[];
}

/**
 * Query names whose header nvidia-smi prints under another name, mapped to the printed name, so a
 * field list given for `noheader` output and a header line give the same keys.
 */
const PRINTED_NAME: Readonly<Record<string, string>> = {
  'clocks.sm': 'clocks.current.sm',
  'clocks.gr': 'clocks.current.graphics',
  'clocks.mem': 'clocks.current.memory',
  used_memory: 'used_gpu_memory',
  gpu_util: 'utilization.gpu',
};

/** Columns holding free text that may itself contain `, ` (a process or product name). */
const FREE_TEXT_FIELDS = ['process_name', 'name', 'gpu_name'];

/** The canonical name of a query field or a header cell (`memory.used [MiB]` → `memory.used`). */
export function canonicalField(name: string): string {
  const bare = name.replace(/\[[^\]]*\]/g, '').trim();
  return PRINTED_NAME[bare] ?? bare;
}

function headerUnit(cell: string): string | undefined {
  return /\[([^\]]+)\]/.exec(cell)?.[1];
}

function splitRow(line: string, fields: readonly string[]): string[] {
  const cells = line.split(',').map((cell) => cell.trim());
  if (cells.length === fields.length) return cells;
  const free = fields.findIndex((field) => FREE_TEXT_FIELDS.includes(field));
  if (cells.length > fields.length && free >= 0) {
    const surplus = cells.length - fields.length;
    const joined = cells.slice(free, free + surplus + 1).join(', ');
    return [...cells.slice(0, free), joined, ...cells.slice(free + surplus + 1)];
  }
  throw new NvidiaSmiParseError(`expected ${fields.length} cells, got ${cells.length}: ${JSON.stringify(line)}`);
}

/**
 * Parses nvidia-smi's CSV query output.
 *
 * @param text the command's stdout.
 * @param fields the `--query-…=` field list, required for `noheader` output (then every line is a
 *   row); without it the first line is taken as the header.
 * @throws NvidiaSmiParseError when there is no header, or a row has the wrong number of cells.
 */
export function parseQueryCsv(text: string, fields?: readonly string[]): QueryTable {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  let names: string[];
  const units = new Map<string, string>();
  if (fields) {
    names = fields.map(canonicalField);
  } else {
    const header = lines.shift();
    if (header === undefined) throw new NvidiaSmiParseError('no header line in nvidia-smi CSV output');
    const cells = header.split(',').map((cell) => cell.trim());
    names = cells.map(canonicalField);
    cells.forEach((cell, i) => {
      const unit = headerUnit(cell);
      const name = names[i];
      if (unit !== undefined && name !== undefined) units.set(name, unit);
    });
  }
  const rows = lines.map((line) => {
    const cells = splitRow(line, names);
    return new Map(names.map((name, i) => [name, cells[i] ?? '']));
  });
  return { fields: names, units, rows };
}

/** The unit of a bare number in a field, as nvidia-smi documents it for `nounits`. */
const NOUNITS_UNIT: Readonly<Record<string, string>> = {
  'memory.used': 'MiB',
  'memory.total': 'MiB',
  'memory.free': 'MiB',
  used_gpu_memory: 'MiB',
};

/**
 * The cell of `field` read by `read` with the unit the header gave (or the `nounits` default);
 * null when the column is absent or holds a placeholder.
 */
export function cellValue<T>(
  table: QueryTable,
  row: ReadonlyMap<string, string>,
  field: string,
  read: (text: string, unit: string) => T | null,
): T | null {
  const text = row.get(field);
  if (text === undefined) return null;
  return read(text, table.units.get(field) ?? NOUNITS_UNIT[field] ?? '');
}
