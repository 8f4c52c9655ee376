/**
 * A small strict parser of the Prometheus text exposition format (version 0.0.4), as a
 * dcgm-exporter serves it at `/metrics`: `# HELP` and `# TYPE` lines, other comments, and samples
 * `name{label="value",…} value [timestamp]` with label values escaped (`\\`, `\"`, `\n`) and the
 * values `NaN`, `+Inf`, `-Inf`. Pure: a line that breaks the format is reported with its number
 * and left out; the other lines still count (one odd line must not hide a node's GPUs).
 */

/** One sample line. */
export interface ExpositionSample {
  /** The metric name (`DCGM_FI_DEV_GPU_UTIL`). */
  readonly name: string;
  /** Its labels, unescaped. */
  readonly labels: Readonly<Record<string, string>>;
  /** The value (`NaN`, `Infinity` and `-Infinity` included). */
  readonly value: number;
  /** The optional timestamp, ms since the epoch; null when absent. */
  readonly timestampMs: number | null;
}

/** A line that breaks the format. */
export interface ExpositionProblem {
  /** 1-based line number. */
  readonly line: number;
  /** What is wrong with it. */
  readonly message: string;
}

/** What {@link parseExposition} found. */
export interface Exposition {
  /** Every well-formed sample, in the order of the text. */
  readonly samples: readonly ExpositionSample[];
  /** `# TYPE` of each metric that declares one. */
  readonly types: ReadonlyMap<string, MetricType>;
  /** Lines left out, with why. */
  readonly problems: readonly ExpositionProblem[];
}

/** The metric types of `# TYPE`. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

const METRIC_TYPES: ReadonlySet<string> = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/** A line that breaks the format; caught per line by {@link parseExposition}. */
class LineError extends Error {}

/** Parses a sample value: a decimal or exponent float, `NaN`, `+Inf`/`Inf`, `-Inf`. */
export function parseSampleValue(text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!FLOAT.test(text)) throw new LineError(`not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

/** Reads `"…"` at `pos` (which must be the opening quote); returns the unescaped text and the position after the closing quote. */
function quoted(line: string, pos: number): [string, number] {
  let out = '';
  for (let i = pos + 1; i < line.length; i += 1) {
    const c = line[i];
    if (c === '"') return [out, i + 1];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = line[i + 1];
    if (next === '\\' || next === '"') out += next;
    else if (next === 'n') out += '\n';
    else throw new LineError(`bad escape \\${next ?? ''} in a label value`);
    i += 1;
  }
  throw new LineError('a label value is not closed');
}

function skipBlanks(line: string, pos: number): number {
  let i = pos;
  while (line[i] === ' ' || line[i] === '\t') i += 1;
  return i;
}

/** Reads `{a="x",b="y"}` at `pos` (the `{`); returns the labels and the position after `}`. */
function labelSet(line: string, pos: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = skipBlanks(line, pos + 1);
  while (line[i] !== '}') {
    const name = LABEL_NAME.exec(line.slice(i))?.[0];
    if (name === undefined) throw new LineError(`bad label name at column ${i + 1}`);
    if (Object.hasOwn(labels, name)) throw new LineError(`label ${name} appears twice`);
    i = skipBlanks(line, i + name.length);
    if (line[i] !== '=') throw new LineError(`expected = after label ${name}`);
    i = skipBlanks(line, i + 1);
    if (line[i] !== '"') throw new LineError(`the value of label ${name} is not quoted`);
    const [value, after] = quoted(line, i);
    labels[name] = value;
    i = skipBlanks(line, after);
    if (line[i] === ',') i = skipBlanks(line, i + 1);
    else if (line[i] !== '}') throw new LineError(`expected , or } after label ${name}`);
  }
  return [labels, i + 1];
}

function sampleLine(line: string): ExpositionSample {
  const name = METRIC_NAME.exec(line)?.[0];
  if (name === undefined) throw new LineError('does not start with a metric name');
  let pos = name.length;
  let labels: Record<string, string> = {};
  const open = skipBlanks(line, pos);
  if (line[open] === '{') [labels, pos] = labelSet(line, open);
  if (pos < line.length && line[pos] !== ' ' && line[pos] !== '\t') throw new LineError(`unexpected ${JSON.stringify(line[pos])} after the metric name and labels`);
  const fields = line.slice(pos).trim().split(/[ \t]+/).filter((f) => f !== '');
  const [value, timestamp, extra] = fields;
  if (value === undefined) throw new LineError(`no value for ${name}`);
  if (extra !== undefined) throw new LineError(`unexpected ${JSON.stringify(extra)} after the value`);
  if (timestamp !== undefined && !INTEGER.test(timestamp)) throw new LineError(`bad timestamp ${JSON.stringify(timestamp)}`);
  return { name, labels, value: parseSampleValue(value), timestampMs: timestamp === undefined ? null : Number(timestamp) };
}

/** Handles a `#` line: TYPE is checked and recorded; HELP needs a metric name; other comments are ignored. */
function commentLine(line: string, types: Map<string, MetricType>): void {
  const match = /^#[ \t]+(HELP|TYPE)(?:[ \t]+(.*))?$/.exec(line);
  if (!match) return;
  const [, keyword, rest = ''] = match;
  const name = METRIC_NAME.exec(rest)?.[0];
  if (name === undefined) throw new LineError(`# ${keyword ?? ''} without a metric name`);
  if (keyword === 'HELP') return;
  const type = rest.slice(name.length).trim();
  if (!METRIC_TYPES.has(type)) throw new LineError(`unknown metric type ${JSON.stringify(type)} for ${name}`);
  if (types.has(name)) throw new LineError(`second # TYPE for ${name}`);
  types.set(name, type as MetricType);
}

/** Parses exposition text; see the module comment. */
export function parseExposition(text: string): Exposition {
  const samples: ExpositionSample[] = [];
  const types = new Map<string, MetricType>();
  const problems: ExpositionProblem[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    try {
      if (line.trimStart().startsWith('#')) commentLine(line.trimStart(), types);
      else samples.push(sampleLine(line.trimStart()));
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      problems.push({ line: index + 1, message: err.message });
    }
  });
  return { samples, types, problems };
}
