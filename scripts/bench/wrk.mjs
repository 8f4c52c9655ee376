// One wrk run on the load generator's core, parsed with the hub's bench helpers.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { start } from './procs.mjs';

const require = createRequire(import.meta.url);
const { parseWrkOutput } = require('../../packages/hub-service/lib/bench/wrk-output.js');

let runs = 0;

/** wrk script for activity POSTs: a strictly increasing timestamp per request, so every one is a write. */
export function activityScript(dir) {
  const file = join(dir, 'activity.lua');
  writeFileSync(
    file,
    [
      'local n = 0',
      'local base = os.time()',
      'wrk.method = "POST"',
      'wrk.headers["Content-Type"] = "application/json"',
      'request = function()',
      '  n = n + 1',
      '  local ts = os.date("!%Y-%m-%dT%H:%M:%S", base + math.floor(n / 1000000)) .. string.format(".%06dZ", n % 1000000)',
      '  return wrk.format(nil, nil, nil, \'{"last_activity":"\' .. ts .. \'"}\')',
      'end',
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * Runs `wrk -t1 -c<connections> -d<durationS>s --latency` against `url`; returns the parsed report
 * plus the load average before the run and the raw text.
 */
export async function runWrk(dir, url, { connections, durationS, headers = {}, script }) {
  const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency', '--timeout', '10s'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  if (script) args.push('-s', script);
  args.push(url);
  const logFile = join(dir, `wrk-${++runs}.txt`);
  const load = loadavg()[0];
  const proc = start('wrk', args, { role: 'load', logFile, cwd: dir, env: {} });
  const code = await proc.exited;
  const text = readFileSync(logFile, 'utf8');
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${text.slice(0, 500)}`);
  return { ...parseWrkOutput(text), loadavg1: load, raw: text };
}
