/**
 * The errors the hub client throws. The panels branch on the class (and on `code` for errors the
 * hub answered), and show `message`, which for {@link HubRequestError} is the hub's own message.
 * Pure: no JupyterLab imports.
 */
import type { ErrorCode } from '@clusterhub/shared';

/** Base class of every error the hub client throws. */
export abstract class HubClientError extends Error {
  /** A stable name of the failure family, for logs and for the panels to branch on. */
  abstract readonly kind: 'request' | 'network' | 'response-shape' | 'not-configured' | 'not-clusterhub';
}

/** The hub answered with a non-2xx status. */
export class HubRequestError extends HubClientError {
  /** @inheritdoc */
  readonly kind = 'request';

  /**
   * @param options.status HTTP status of the answer.
   * @param options.code The stable code from the hub's `{ code, message }` body; null when the
   *   body had none (a JupyterHub-style `{ status, message }` body, or not JSON at all).
   * @param options.message The hub's message, or the HTTP status line when it sent none.
   * @param options.details The body's `details`, when present.
   */
  constructor(options: IHubRequestErrorOptions) {
    super(options.message);
    this.name = 'HubRequestError';
    this.status = options.status;
    this.code = options.code;
    this.details = options.details ?? null;
  }

  /** HTTP status of the answer. */
  readonly status: number;
  /** Stable error code from the hub, or null when the body carried none. */
  readonly code: ErrorCode | null;
  /** Structured details from the body, or null. */
  readonly details: Record<string, unknown> | null;
}

/** Constructor options of {@link HubRequestError}. */
export interface IHubRequestErrorOptions {
  status: number;
  code: ErrorCode | null;
  message: string;
  details?: Record<string, unknown> | null;
}

/** The hub did not answer: the request failed on the network or ran past its timeout. */
export class HubNetworkError extends HubClientError {
  /** @inheritdoc */
  readonly kind = 'network';

  /**
   * @param message What failed, naming the request.
   * @param options.timedOut True when the request ran past the client's timeout.
   * @param options.cause The underlying fetch error, if any.
   */
  constructor(message: string, options: { timedOut: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'HubNetworkError';
    this.timedOut = options.timedOut;
  }

  /** True when the request ran past the client's timeout. */
  readonly timedOut: boolean;
}

/**
 * The hub is not clusterhub (a plain JupyterHub): it answered 404 for clusterhub's own endpoint
 * (`/hub/api/clusterhub/profiles`). The panels say so in one line and stop asking.
 */
export class HubNotClusterhubError extends HubClientError {
  /** @inheritdoc */
  readonly kind = 'not-clusterhub';

  /** @param message What the hub answered, naming the request. */
  constructor(message: string) {
    super(message);
    this.name = 'HubNotClusterhubError';
  }
}

/** The hub answered 2xx, but the body is not JSON or not the expected shape. */
export class HubResponseShapeError extends HubClientError {
  /** @inheritdoc */
  readonly kind = 'response-shape';

  /** @param message What was expected from which request. */
  constructor(message: string) {
    super(message);
    this.name = 'HubResponseShapeError';
  }
}

/** This JupyterLab was not started by a hub (its page config has no hub prefix). */
export class HubNotConfiguredError extends HubClientError {
  /** @inheritdoc */
  readonly kind = 'not-configured';

  /** @param message Which page-config value is missing. */
  constructor(message: string) {
    super(message);
    this.name = 'HubNotConfiguredError';
  }
}
