/**
 * Type guards that narrow JSON from the hub to the client's models. Each checks every field its
 * type declares (required ones present, optional ones absent or of the right type), so the panels
 * can trust what the client returns. Pure: no JupyterLab imports.
 */
import { SERVER_STATES, isErrorCode, parseQuantity, type ApiErrorBody, type ServerState } from '@clusterhub/shared';
import type { IHubBudget, IHubBudgets, IHubCulling, IHubIdentity, IHubProfile, IHubServer, IHubUser } from './hub-models';

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** True for a JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True for an array of strings. */
function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** True when `obj[key]` is absent (undefined) or passes `check`. */
function optional(obj: JsonObject, key: string, check: (v: unknown) => boolean): boolean {
  return obj[key] === undefined || check(obj[key]);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** True for a memory size the shared `parseQuantity` accepts (e.g. `2Gi`). */
function isQuantity(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    parseQuantity(value);
    return true;
  } catch {
    return false;
  }
}

/** True for one of the lifecycle states. */
export function isServerState(value: unknown): value is ServerState {
  return typeof value === 'string' && (SERVER_STATES as readonly string[]).includes(value);
}

/** True for the hub's error body `{ code, message, status?, details? }` with a registered code. */
export function isApiErrorBody(value: unknown): value is Omit<ApiErrorBody, 'status'> & { status?: number } {
  return (
    isObject(value) &&
    isErrorCode(value['code']) &&
    typeof value['message'] === 'string' &&
    optional(value, 'status', isNumber) &&
    optional(value, 'details', isObject)
  );
}

/** True for a server model with the fields of {@link IHubServer}. */
export function isHubServer(value: unknown): value is IHubServer {
  return (
    isObject(value) &&
    typeof value['name'] === 'string' &&
    typeof value['ready'] === 'boolean' &&
    (value['pending'] === null || value['pending'] === 'spawn' || value['pending'] === 'stop') &&
    isStringOrNull(value['started']) &&
    isStringOrNull(value['last_activity']) &&
    typeof value['url'] === 'string' &&
    optional(value, 'profile', isStringOrNull) &&
    optional(value, 'lifecycle', isServerState) &&
    optional(value, 'message', isStringOrNull) &&
    optional(value, 'stop_reason', isStringOrNull)
  );
}

/** True for an object whose values are all server models. */
function isServerMap(value: unknown): value is Record<string, IHubServer> {
  return isObject(value) && Object.values(value).every(isHubServer);
}

/** True for a user model with the fields of {@link IHubUser}. */
export function isHubUser(value: unknown): value is IHubUser {
  return (
    isObject(value) &&
    value['kind'] === 'user' &&
    typeof value['name'] === 'string' &&
    optional(value, 'admin', isBoolean) &&
    optional(value, 'groups', isStringArray) &&
    optional(value, 'servers', isServerMap)
  );
}

/** True for the identity model of `GET /hub/api/user`. */
export function isHubIdentity(value: unknown): value is IHubIdentity {
  return (
    isObject(value) &&
    (value['kind'] === 'user' || value['kind'] === 'service') &&
    typeof value['name'] === 'string' &&
    isStringArray(value['scopes']) &&
    optional(value, 'admin', isBoolean) &&
    optional(value, 'groups', isStringArray) &&
    optional(value, 'servers', isServerMap)
  );
}

/** True for `{ guarantee?: number, limit?: number }` (CPU) or the same with memory sizes. */
function isRange(check: (v: unknown) => boolean): (value: unknown) => boolean {
  return (value) => isObject(value) && optional(value, 'guarantee', check) && optional(value, 'limit', check);
}

/** True for a profile's `resources` section. */
function isResources(value: unknown): boolean {
  return (
    isObject(value) &&
    optional(value, 'cpu', isRange(isNumber)) &&
    optional(value, 'memory', isRange(isQuantity)) &&
    optional(value, 'gpus', (g) => isObject(g) && isNumber(g['count']) && optional(g, 'type', isString)) &&
    optional(value, 'mig', (m) => isObject(m) && isString(m['profile']) && optional(m, 'count', isNumber)) &&
    optional(value, 'walltime', isString)
  );
}

/** True for a profile's cull policy. */
function isCullPolicy(value: unknown): boolean {
  return isObject(value) && optional(value, 'idleTimeoutSeconds', isNumber) && optional(value, 'maxAgeSeconds', isNumber);
}

/** True for a profile as the hub offers it (`ProfileModel`). */
export function isHubProfile(value: unknown): value is IHubProfile {
  return (
    isObject(value) &&
    typeof value['slug'] === 'string' &&
    typeof value['displayName'] === 'string' &&
    (value['kind'] === 'cpu' || value['kind'] === 'mig' || value['kind'] === 'gpu') &&
    typeof value['allowed'] === 'boolean' &&
    optional(value, 'description', isString) &&
    optional(value, 'default', isBoolean) &&
    optional(value, 'resources', isResources) &&
    optional(value, 'image', isString) &&
    optional(value, 'environment', (e) => isObject(e) && Object.values(e).every(isString)) &&
    optional(value, 'pricePerHour', isNumber) &&
    optional(value, 'groups', isStringArray) &&
    optional(value, 'cull', isCullPolicy) &&
    optional(value, 'kubernetes', isObject) &&
    optional(value, 'slurm', isObject) &&
    optional(value, 'notApplied', isStringArray)
  );
}

/** True for an array of profiles. */
export function isHubProfileList(value: unknown): value is IHubProfile[] {
  return Array.isArray(value) && value.every(isHubProfile);
}

const CULL_REASONS = ['idle', 'max-age', 'gpu-idle', 'budget'];
const CULL_ACTIONS = ['stop', 'downshift', 'notify'];
const isIsoTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** True for a warning of the culling model. */
function isCullWarning(value: unknown): boolean {
  return (
    isObject(value) &&
    CULL_REASONS.includes(String(value['reason'])) &&
    CULL_ACTIONS.includes(String(value['action'])) &&
    isIsoTime(value['action_at']) &&
    isString(value['message']) &&
    isBoolean(value['keep_alive'])
  );
}

/** True for the culler's last action of the culling model. */
function isCullLastAction(value: unknown): boolean {
  return isObject(value) && CULL_REASONS.includes(String(value['reason'])) && isIsoTime(value['at']) && isStringOrNull(value['message']);
}

/** True for the culling model (`GET …/server/culling`, `POST …/server/keep-alive`). */
export function isHubCulling(value: unknown): value is IHubCulling {
  return (
    isObject(value) &&
    isString(value['user']) &&
    isString(value['server']) &&
    (value['warning'] === null || isCullWarning(value['warning'])) &&
    (value['last_action'] === null || isCullLastAction(value['last_action']))
  );
}

/** True for one budget of the budgets model. */
export function isHubBudget(value: unknown): value is IHubBudget {
  return (
    isObject(value) &&
    (value['kind'] === 'user' || value['kind'] === 'group') &&
    isString(value['name']) &&
    isNumber(value['amount']) &&
    isNumber(value['spent']) &&
    isNumber(value['remaining'])
  );
}

/** True for the budgets model (`GET …/clusterhub/budgets/:name`). */
export function isHubBudgets(value: unknown): value is IHubBudgets {
  return (
    isObject(value) &&
    isString(value['user']) &&
    isString(value['period']) &&
    isStringOrNull(value['term']) &&
    isStringOrNull(value['period_start']) &&
    isStringOrNull(value['period_end']) &&
    isNumber(value['spent']) &&
    (value['budget'] === null || isHubBudget(value['budget'])) &&
    Array.isArray(value['groups']) &&
    value['groups'].every(isHubBudget) &&
    (value['gap'] === null || (isObject(value['gap']) && isString(value['gap']['message'])))
  );
}
