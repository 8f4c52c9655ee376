/**
 * Rules of the `culler` section the schema cannot express (docs/culler.md): the webhook's signing
 * key variable must be set. And the webhook resolved: the key read from that variable.
 */
import type { CullerWebhookConfig, HubConfig } from '@clusterhub/shared';
import { filled } from './filled';
import { envValue } from './semantic-checks';
import type { ResolvedConfig } from './types';

/** One `config error at <path>` line per problem of the `culler` section. */
export function cullerProblems(doc: HubConfig, env: NodeJS.ProcessEnv): string[] {
  const webhook = doc.culler?.webhook;
  if (webhook?.secretEnv === undefined || envValue(env, webhook.secretEnv) !== undefined) return [];
  return [`config error at culler.webhook.secretEnv: the environment variable ${webhook.secretEnv} is unset or empty (it must hold the webhook's signing key)`];
}

/** `culler.webhook` with its default timeout and the signing key read from `secretEnv` (checked before). */
export function resolveCullerWebhook(webhook: CullerWebhookConfig | undefined, env: NodeJS.ProcessEnv): ResolvedConfig['culler']['webhook'] {
  if (webhook === undefined) return null;
  return { url: webhook.url, secret: envValue(env, webhook.secretEnv) ?? null, timeoutSeconds: filled(webhook.timeoutSeconds, 'culler.webhook.timeoutSeconds') };
}
