/**
 * Validation of a parsed config document against `schema/config/hub-config.schema.json` (which
 * references `schema/profiles/profile.schema.json`), filling in the schema's defaults, and turning
 * Ajv's errors into `config error at <key path>: <reason>` lines.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { HubConfig } from '@clusterhub/shared';

const CONFIG_SCHEMA = join('schema', 'config', 'hub-config.schema.json');
const PROFILE_SCHEMA = join('schema', 'profiles', 'profile.schema.json');

/** Most folders walked up when looking for the schema folder. */
const MAX_WALK_UP = 32;

/**
 * The repository folder that holds `schema/`: the first folder at or above `start` that contains
 * `schema/config/hub-config.schema.json`. Works from `src/` (ts-jest) and from `lib/` (after tsc).
 */
export function findSchemaRoot(start: string = __dirname): string {
  let dir = start;
  for (let i = 0; i < MAX_WALK_UP; i += 1) {
    if (existsSync(join(dir, CONFIG_SCHEMA))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find ${CONFIG_SCHEMA} in ${start} or any folder above it`);
}

/** Reads a JSON schema file into an object. */
function readSchema(file: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file} is not a JSON schema object`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Compiles the hub config validator. It fills in defaults (`useDefaults`) in the document it
 * checks, so callers pass a fresh copy, and reports every error at once (`allErrors`).
 */
export function compileConfigValidator(schemaRoot: string = findSchemaRoot()): ValidateFunction<HubConfig> {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: false });
  addFormats(ajv);
  ajv.addSchema(readSchema(join(schemaRoot, PROFILE_SCHEMA)));
  const configSchema = readSchema(join(schemaRoot, CONFIG_SCHEMA));
  ajv.addSchema(configSchema);
  const id = configSchema['$id'];
  if (typeof id !== 'string') throw new Error(`${CONFIG_SCHEMA} has no $id`);
  const validate = ajv.getSchema<HubConfig>(id);
  if (!validate) throw new Error(`cannot compile ${CONFIG_SCHEMA}`);
  return validate;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Turns a JSON pointer (`/profiles/2/resources`) into a key path (`profiles[2].resources`). */
export function keyPath(pointer: string): string {
  if (pointer === '') return '(top level)';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9][0-9]*)$/.test(segment)) out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Appends a key to a key path (`(top level)` + `hub` is `hub`). */
export function childPath(path: string, key: string): string {
  if (path === '(top level)') return IDENTIFIER.test(key) ? key : `[${JSON.stringify(key)}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** The reason part of one Ajv error, worded for people editing YAML. */
function reason(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key ${JSON.stringify(params['additionalProperty'])}`;
    case 'required':
      return `missing required key ${JSON.stringify(params['missingProperty'])}`;
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? params['allowedValues'] : [];
      return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    case 'format':
      return params['format'] === 'uri' ? 'must be an absolute URL (e.g. http://host:port)' : (error.message ?? 'is invalid');
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

/** One `config error at <path>: <reason>` line per Ajv error, duplicates removed, in order. */
export function formatSchemaErrors(errors: readonly ErrorObject[]): string[] {
  const lines = errors.map((e) => `config error at ${keyPath(e.instancePath)}: ${reason(e)}`);
  return [...new Set(lines)];
}
