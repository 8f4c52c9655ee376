/**
 * The culler's webhook (docs/culler.md): every warning and every action is POSTed as JSON to
 * `culler.webhook.url`, signed with `X-Clusterhub-Signature: sha256=<hex HMAC-SHA256 of the body>`
 * when a key is configured. One attempt per event, bounded by the timeout; a failure is logged and
 * never reaches the culler.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from '../observability/logger';
import type { CullActionKind, CullReason } from './warnings';

/** The JSON body of one event. */
export type CullWebhookEvent = {
  readonly reason: CullReason;
  readonly action: CullActionKind;
  readonly user: string;
  readonly server: string;
  readonly profile: string | null;
  readonly message: string;
} & ({ readonly event: 'warning'; readonly action_at: string } | { readonly event: 'action'; readonly at: string });

/** The header that carries the signature. */
export const SIGNATURE_HEADER = 'X-Clusterhub-Signature';

/** `sha256=<hex HMAC-SHA256 of body under key>`, the value of {@link SIGNATURE_HEADER}. */
export function webhookSignature(body: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/** Settings of {@link CullWebhook} (the resolved `culler.webhook`). */
export interface CullWebhookSettings {
  readonly url: string;
  /** Signing key; null: unsigned. */
  readonly secret: string | null;
  readonly timeoutSeconds: number;
}

/** See the module comment. */
export class CullWebhook {
  private readonly inFlight = new Set<Promise<void>>();

  /** @param settings URL, key and timeout; @param logger where failures go. */
  constructor(
    private readonly settings: CullWebhookSettings,
    private readonly logger: Logger,
  ) {}

  /** Sends one event in the background (one attempt); never throws. */
  send(event: CullWebhookEvent): void {
    const delivery = this.deliver(event).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Waits for the deliveries under way (each ends by its timeout at the latest). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async deliver(event: CullWebhookEvent): Promise<void> {
    const body = JSON.stringify(event);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.settings.secret !== null) headers[SIGNATURE_HEADER] = webhookSignature(body, this.settings.secret);
    const where = { url: this.settings.url, event: event.event, reason: event.reason, user: event.user, server: event.server };
    try {
      const res = await fetch(this.settings.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.settings.timeoutSeconds * 1000) });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) this.logger.warn({ ...where, status: res.status }, 'culler webhook: the receiver refused the event');
    } catch (err) {
      this.logger.warn({ ...where, err: err instanceof Error ? err.message : String(err) }, 'culler webhook: delivery failed');
    }
  }
}
