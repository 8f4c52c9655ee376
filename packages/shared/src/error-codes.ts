/**
 * The stable error-code registry. Every API error the hub returns carries one of these codes in
 * `{ code, message, details? }`; clients (the Lab panels, scripts) switch on the code, never on the
 * message. A code, once published, keeps its meaning and HTTP status.
 */
export const ERROR_CODES = {
  bad_request: { status: 400, message: 'Bad request.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  json_too_deep: { status: 400, message: 'The request body is nested too deeply.' },
  validation_failed: { status: 400, message: 'The request body does not match the expected shape.' },
  unknown_field: { status: 400, message: 'The request body has a field this endpoint does not accept.' },
  invalid_name: { status: 400, message: 'The name is not valid.' },
  invalid_server_name: { status: 400, message: 'Invalid server_name.' },
  named_servers_disabled: { status: 400, message: 'Named servers are not enabled.' },
  named_server_limit: { status: 400, message: 'The named-server limit is reached.' },
  invalid_query: { status: 400, message: 'A query parameter is not valid.' },
  invalid_scope: { status: 400, message: 'A requested scope is not known or not held.' },
  unknown_profile: { status: 400, message: 'No such profile.' },
  invalid_user_option: { status: 400, message: 'A start option (user_options) is not valid for this profile.' },
  invalid_job_script: { status: 400, message: 'The batch script cannot be submitted (a scheduler directive, NUL, empty or too long).' },
  not_a_batch_profile: { status: 400, message: 'The profile does not run on a batch scheduler.' },
  job_refused: { status: 400, message: 'The scheduler refused the job.' },
  invalid_job_id: { status: 400, message: 'The job id is not a Slurm job id.' },
  server_running: { status: 400, message: 'The server is already running.' },
  server_pending_stop: { status: 400, message: 'The server is stopping; try again when it has stopped.' },
  server_not_starting: { status: 400, message: 'The server is not starting.' },
  cannot_delete_self: { status: 400, message: 'You cannot delete yourself.' },
  budget_exceeded: { status: 402, message: 'Budget exceeded! Contact an admin.' },
  invalid_budget: { status: 400, message: 'A budget change is not valid (units or limit, note).' },
  no_budget_term: { status: 409, message: 'No budget term is open now (budgets.terms); starts that a budget limits wait for the next term.' },
  invalid_charge_group: { status: 400, message: 'The group to charge (charge_group) is not one of your groups that the profile lists.' },
  not_authenticated: { status: 403, message: 'Missing or invalid credentials.' },
  xsrf_missing: { status: 403, message: "'_xsrf' argument missing from request." },
  xsrf_mismatch: { status: 403, message: 'XSRF cookie does not match the request.' },
  page_fetch_refused: { status: 403, message: 'This page cannot be fetched by a script; open it in the browser.' },
  forbidden: { status: 403, message: 'Action is not authorized with current scopes.' },
  profile_forbidden: { status: 403, message: 'You may not use this profile.' },
  auth_expired: { status: 403, message: 'Your sign-in at the identity provider has expired; sign in again.' },
  not_found: { status: 404, message: 'Not found.' },
  gpu_metrics_disabled: { status: 404, message: 'This hub does not collect GPU metrics.' },
  gpu_idle_off: { status: 404, message: 'This hub does no GPU-idle handling (culler.enabled and gpuMetrics.enabled).' },
  culler_off: { status: 404, message: 'This hub has no built-in culler (culler.enabled).' },
  job_not_found: { status: 404, message: 'No such job of this user.' },
  method_not_allowed: { status: 405, message: 'Method not allowed.' },
  conflict: { status: 409, message: 'Already exists.' },
  walltime_extension_unavailable: { status: 409, message: 'No walltime extension is available for this server.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send JSON with Content-Type: application/json.' },
  server_not_running: { status: 424, message: 'The server is not running.' },
  too_many_spawns: { status: 429, message: 'Too many servers are starting; try again later.' },
  active_server_limit: { status: 429, message: 'The hub is at its limit of active servers; try again later.' },
  login_throttled: { status: 429, message: 'Too many failed logins; wait before trying again.' },
  too_many_submissions: { status: 429, message: 'Too many batch job submissions; wait before trying again.' },
  spawn_failed: { status: 500, message: 'The server failed to start.' },
  internal_error: { status: 500, message: 'Internal error.' },
  backend_unavailable: { status: 503, message: 'A backend the hub depends on is unavailable.' },
  scheduler_unavailable: { status: 503, message: 'The batch scheduler cannot be reached right now.' },
  identity_provider_unavailable: { status: 503, message: 'The identity provider cannot be reached to check your groups; try again later.' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A stable error code (a key of {@link ERROR_CODES}). */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every API error the hub returns. `status` mirrors the HTTP status (JupyterHub clients read it). */
export interface ApiErrorBody {
  /** Stable code from {@link ERROR_CODES}. */
  code: ErrorCode;
  /** Human-readable explanation; names the key, profile or limit involved. */
  message: string;
  /** HTTP status, as JupyterHub's error body has it. */
  status: number;
  /** Optional structured details (e.g. the failing JSON path, a retry delay). */
  details?: Record<string, unknown>;
}

/** True when `value` is one of the registered error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
