import type { Request } from 'express';
import { PAGINATION_MEDIA_TYPE, type PageEnvelope } from '@clusterhub/shared';
import { HubError } from '../errors';

/** Offset/limit of a list request and whether the caller asked for the envelope (protocol.md §1.4). */
export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
  readonly envelope: boolean;
}

/** True when `Accept` lists the pagination media type. */
export function wantsEnvelope(req: Request): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => part.split(';')[0]?.trim().toLowerCase() === PAGINATION_MEDIA_TYPE);
}

function intParam(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim())) throw new HubError('invalid_query', `Query parameter ${name} must be an integer.`);
  return Math.abs(Number.parseInt(raw, 10));
}

/**
 * Parses `offset` and `limit`. Without the envelope the default limit is the maximum (as upstream).
 * `limit` is clamped to [1, max]; negatives take their absolute value; non-integers are 400.
 */
export function parsePage(req: Request, defaults: { defaultLimit: number; maxLimit: number }): PageRequest {
  const envelope = wantsEnvelope(req);
  const offset = intParam(req, 'offset') ?? 0;
  const asked = intParam(req, 'limit') ?? (envelope ? defaults.defaultLimit : defaults.maxLimit);
  const limit = Math.min(Math.max(asked, 1), defaults.maxLimit);
  return { offset, limit, envelope };
}

/** The absolute URL of this request with `offset`/`limit` replaced. */
function pageUrl(req: Request, offset: number, limit: number): string {
  const url = new URL(req.originalUrl, `${req.protocol}://${req.headers.host ?? '127.0.0.1'}`);
  url.searchParams.set('offset', String(offset));
  url.searchParams.set('limit', String(limit));
  return url.toString();
}

/** Builds the body: the envelope when asked for, else the bare list. */
export function pageBody<T>(req: Request, page: PageRequest, items: T[], total: number): PageEnvelope<T> | T[] {
  if (!page.envelope) return items;
  const nextOffset = page.offset + page.limit;
  return {
    items,
    _pagination: {
      offset: page.offset,
      limit: page.limit,
      total,
      next: nextOffset < total ? { offset: nextOffset, limit: page.limit, url: pageUrl(req, nextOffset, page.limit) } : null,
    },
  };
}
