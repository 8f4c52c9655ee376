import Ajv, { type ErrorObject, type JSONSchemaType } from 'ajv';
import { HubError } from '../errors';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });

/** A compiled validator for one request-body shape; throws HubError naming the offending key. */
export type BodyValidator<T> = (body: unknown) => T;

/**
 * Compiles a JSON Schema for a request body. Unknown keys give `unknown_field`, wrong types or
 * values `validation_failed`; both messages name the JSON path.
 */
export function bodyValidator<T>(schema: JSONSchemaType<T>): BodyValidator<T> {
  const validate = ajv.compile(schema);
  return (body: unknown): T => {
    if (validate(body)) return body;
    const err = validate.errors?.[0];
    throw toHubError(err);
  };
}

function toHubError(err: ErrorObject | undefined): HubError {
  if (!err) return new HubError('validation_failed');
  const path = err.instancePath ? err.instancePath.slice(1).replace(/\//g, '.') : 'body';
  if (err.keyword === 'additionalProperties') {
    const key = String((err.params as { additionalProperty?: unknown }).additionalProperty);
    return new HubError('unknown_field', `Unknown field "${key}" in ${path}.`, { details: { field: key, path } });
  }
  return new HubError('validation_failed', `Invalid ${path}: ${err.message ?? 'not valid'}.`, { details: { path } });
}

/** `body` as a JSON object, or HubError `validation_failed` ("<what> must be a JSON object"). */
export function jsonObject(body: unknown, what = 'The body'): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HubError('validation_failed', `${what} must be a JSON object.`);
  return body as Record<string, unknown>;
}
