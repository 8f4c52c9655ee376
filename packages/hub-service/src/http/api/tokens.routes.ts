import { Router } from 'express';
import type { JSONSchemaType } from 'ajv';
import { DEFAULT_ROLES, expandScopes, validateScopes, type NewTokenModel } from '@clusterhub/shared';
import type { TokenRecord, UserRecord } from '../../store/store';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { newToken, sha256Hex } from '../../lib/secrets';
import { asyncHandler, param } from '../async-handler';
import { requireScope } from '../auth-guard';
import { bodyValidator } from '../validate';
import { toTokenModel } from '../wire-models';

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
    expires_in: { type: 'integer', minimum: 0, nullable: true },
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
 * owner's scopes.
 */
export async function createApiToken(
  ctx: HubContext,
  user: UserRecord,
  input: { note?: string; expiresInSeconds?: number; scopes?: readonly string[]; roles?: readonly string[] },
): Promise<NewTokenModel> {
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
  const now = ctx.clock();
  const token = newToken();
  const record = await ctx.store.tokens.create({
    kind: 'api',
    userId: user.id,
    serviceName: null,
    prefix: token.slice(0, 4),
    hash: sha256Hex(token),
    scopes: raw,
    note: input.note ?? '',
    expiresAt: input.expiresInSeconds ? new Date(now + input.expiresInSeconds * 1000) : null,
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
      requireScope(req, 'read:tokens', { user: name });
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
      requireScope(req, 'tokens', { user: name });
      const body = createToken(req.body ?? {});
      const user = await ctx.users.get(name);
      const created = await createApiToken(ctx, user, { note: body.note, expiresInSeconds: body.expires_in, scopes: body.scopes, roles: body.roles });
      res.status(201).json(created);
    }),
  );

  router.get(
    '/users/:name/tokens/:id',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      requireScope(req, 'read:tokens', { user: name });
      const user = await ctx.users.get(name);
      const token = await findToken(user, param(req, 'id'));
      res.json(toTokenModel(token, { user: user.name }, [...(await ctx.identity.tokenScopes(token, user))]));
    }),
  );

  router.delete(
    '/users/:name/tokens/:id',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      requireScope(req, 'tokens', { user: name });
      const user = await ctx.users.get(name);
      await revokeToken(ctx, user, await findToken(user, param(req, 'id')));
      res.status(204).end();
    }),
  );

  return router;
}
