import { ERROR_CODES, type ErrorCode } from '@clusterhub/shared';

/**
 * The hub's one error type. Carries a stable code from `@clusterhub/shared`'s registry, the HTTP
 * status that code maps to, a message for people, optional details and extra response headers
 * (e.g. `Retry-After`). The HTTP layer turns it into `{ code, message, status, details? }`.
 */
export class HubError extends Error {
  override readonly name = 'HubError';
  /** HTTP status for the code. */
  readonly status: number;
  constructor(
    /** Stable error code. */
    readonly code: ErrorCode,
    message?: string,
    readonly options: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message ?? ERROR_CODES[code].message, { cause: options.cause });
    this.status = ERROR_CODES[code].status;
  }
}

/** True when `err` is a {@link HubError}. */
export function isHubError(err: unknown): err is HubError {
  return err instanceof HubError;
}
