import { Router } from 'express';
import type { JSONSchemaType } from 'ajv';
import { DEFAULT_ROLES, expandScopes, scopeCovered, validateScopes, type NewTokenModel } from '@clusterhub/shared';
import type { TokenRecord, UserRecord } from '../../store/store';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { newToken, sha256Hex } from '../../lib/secrets';
import { asyncHandler, param } from '../async-handler';
import { allows, requireIdentity } from '../auth-guard';
import { bodyValidator } from '../validate';
import { toTokenModel } from '../wire-models';
import { requireAnyScope, userResource } from './scope-check';

/** Longest token lifetime the API accepts: 100 years. */
export const MAX_EXPIRES_IN_SECONDS = 100 * 366 * 24 * 3600;

interface CreateTokenBody {
  expires_in?: number;
  note?: string;
  scopes?: string[];
  roles?: string[];
}
const createToken = bodyValidator<CreateTokenBody>({
  type: 'object',
  additionalProperties: false,
  properties: {
    // JupyterHub refuses expires_in < 1; the upper bound keeps the expiry a representable date.
    expires_in: { type: 'integer', minimum: 1, maximum: MAX_EXPIRES_IN_SECONDS, nullable: true },
    note: { type: 'string', maxLength: 1000, nullable: true },
    scopes: { type: 'array', items: { type: 'string' }, maxItems: 200, nullable: true },
    roles: { type: 'array', items: { type: 'string' }, maxItems: 10, nullable: true },
  },
} as JSONSchemaType<CreateTokenBody>);

/** Parses a wire token id (`a17`); null if malformed. */
function parseTokenId(raw: string): number | null {
  const match = /^a?(\d{1,15})$/.exec(raw);
  return match?.[1] ? Number(match[1]) : null;
}

/**
 * Creates an API token for `user` (used by the API and the token page). Scopes beyond what the
 * user holds are refused with `invalid_scope`; no scopes and no roles ⇒ the token inherits the
 * owner's scopes. With `requesterScopes` (the effective scopes of the request that asks for the
 * token), a token that would be able to do more than the requester is refused with `forbidden`:
 * a token limited to `tokens` cannot mint itself a wider one.
 */
export async function createApiToken(
  ctx: HubContext,
  user: UserRecord,
  input: { note?: string; expiresInSeconds?: number; scopes?: readonly string[]; roles?: readonly string[]; requesterScopes?: ReadonlySet<string> },
): Promise<NewTokenModel> {
  if (input.scopes !== undefined && input.roles !== undefined) throw new HubError('validation_failed', 'Send scopes or roles, not both.');
  const raw: string[] = [...(input.scopes ?? [])];
  for (const role of input.roles ?? []) {
    if (!(role in DEFAULT_ROLES)) throw new HubError('invalid_scope', `Unknown role: ${role}.`);
    raw.push(...DEFAULT_ROLES[role as keyof typeof DEFAULT_ROLES]);
  }
  if (raw.length) {
    const check = validateScopes(raw.filter((s) => s !== 'inherit'));
    if (!check.ok) throw new HubError('invalid_scope', check.message, { details: { invalid: check.invalid } });
    const held = ctx.identity.userScopes(user);
    if (!raw.includes('inherit')) {
      const wanted = expandScopes(raw, { user: user.name });
      const beyond = [...wanted].filter((s) => !held.has(s) && !held.has(s.split('!')[0] ?? s));
      if (beyond.length) throw new HubError('invalid_scope', `${user.name} does not hold ${beyond.slice(0, 5).join(', ')}.`, { details: { beyond } });
    }
  }
  if (input.requesterScopes) {
    const ownerGroups = await ctx.store.groups.groupNamesOf(user.id);
    const granted = await ctx.identity.scopesForRaw(raw, user, '', ownerGroups);
    const beyond = [...granted].filter((s) => !scopeCovered(input.requesterScopes ?? new Set<string>(), s, (name) => (name === user.name ? ownerGroups : [])));
    if (beyond.length) {
      const what = raw.length ? `scopes it does not hold itself: ${beyond.slice(0, 5).join(', ')}` : `all of ${user.name}'s scopes; ask for a subset of its own with "scopes"`;
      throw new HubError('forbidden', `This request may not create a token with ${what}.`, { details: { beyond } });
    }
  }
  const expiresAt = input.expiresInSeconds ? new Date(ctx.clock() + input.expiresInSeconds * 1000) : null;
  if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new HubError('validation_failed', `Invalid expires_in: ${input.expiresInSeconds} s is too far in the future.`);
  const token = newToken();
  const record = await ctx.store.tokens.create({
    kind: 'api',
    userId: user.id,
    serviceName: null,
    prefix: token.slice(0, 4),
    hash: sha256Hex(token),
    scopes: raw,
    note: input.note ?? '',
    expiresAt,
    sessionId: null,
    oauthClientId: 'jupyterhub',
    serverId: null,
  });
  return { ...toTokenModel(record, { user: user.name }, [...(await ctx.identity.tokenScopes(record, user))]), token };
}

/** Deletes a token; for an OAuth token, every token of the user from that client (as upstream). */
export async function revokeToken(ctx: HubContext, user: UserRecord, token: TokenRecord): Promise<void> {
  if (token.kind === 'oauth' && token.oauthClientId) await ctx.store.tokens.deleteWhere({ userId: user.id, oauthClientId: token.oauthClientId });
  else await ctx.store.tokens.delete(token.id);
}

/** `/users/:name/tokens[/:id]` (protocol.md §5). */
export function tokensRouter(ctx: HubContext): Router {
  const router = Router();

  const findToken = async (user: UserRecord, rawId: string): Promise<TokenRecord> => {
    const id = parseTokenId(rawId);
    const token = id === null ? null : await ctx.store.tokens.getById(id);
    if (!token || token.userId !== user.id || token.kind === 'server') throw new HubError('not_found', `No such token: ${rawId}.`);
    return token;
  };

  router.get(
    '/users/:name/tokens',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      requireAnyScope(req, ['read:tokens'], await userResource(ctx, name));
      const user = await ctx.users.get(name);
      const now = ctx.clock();
      const tokens = (await ctx.store.tokens.listForUser(user.id)).filter((t) => t.kind !== 'server' && !(t.expiresAt && t.expiresAt.getTime() <= now));
      const models = [];
      for (const t of tokens) models.push(toTokenModel(t, { user: user.name }, [...(await ctx.identity.tokenScopes(t, user))]));
      res.json({ api_tokens: models });
    }),
  );

  router.post(
    '/users/:name/tokens',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      const viewer = requireIdentity(req);
      // As JupyterHub: 403 alike for a missing user and for one the caller may not make tokens for.
      const user = await ctx.store.users.getByName(name);
      const groups = user ? await ctx.store.groups.groupNamesOf(user.id) : [];
      if (!user || !allows(viewer, 'tokens', { user: name, userGroups: groups })) {
        throw new HubError('forbidden', `User ${name} not found or no permissions to generate tokens.`);
      }
      const body = createToken(req.body ?? {});
      const created = await createApiToken(ctx, user, {
        note: body.note,
        expiresInSeconds: body.expires_in,
        scopes: body.scopes,
        roles: body.roles,
        requesterScopes: viewer.scopes,
      });
      res.status(201).json(created);
    }),
  );

  router.get(
    '/users/:name/tokens/:id',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      requireAnyScope(req, ['read:tokens'], await userResource(ctx, name));
      const user = await ctx.users.get(name);
      const token = await findToken(user, param(req, 'id'));
      res.json(toTokenModel(token, { user: user.name }, [...(await ctx.identity.tokenScopes(token, user))]));
    }),
  );

  router.delete(
    '/users/:name/tokens/:id',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      requireAnyScope(req, ['tokens'], await userResource(ctx, name));
      const user = await ctx.users.get(name);
      await revokeToken(ctx, user, await findToken(user, param(req, 'id')));
      res.status(204).end();
    }),
  );

  return router;
}
