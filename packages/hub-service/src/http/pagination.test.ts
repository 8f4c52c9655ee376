import type { Request } from 'express';
import { PAGINATION_MEDIA_TYPE } from '@clusterhub/shared';
import { HubError } from '../errors';
import { pageBody, parsePage, wantsEnvelope } from './pagination';

const LIMITS = { defaultLimit: 20, maxLimit: 200 };

/** The few Request fields pagination reads. */
function fakeRequest(query: Record<string, unknown>, accept?: string, originalUrl = '/hub/api/users?name_filter=a'): Request {
  const fields = { query, headers: { accept, host: 'hub.example:8000' }, originalUrl, protocol: 'http' };
  return fields as unknown as Request;
}

describe('wantsEnvelope', () => {
  it('is true only when Accept lists the pagination media type', () => {
    expect(wantsEnvelope(fakeRequest({}, PAGINATION_MEDIA_TYPE))).toBe(true);
    expect(wantsEnvelope(fakeRequest({}, `application/json, ${PAGINATION_MEDIA_TYPE.toUpperCase()};q=0.9`))).toBe(true);
    expect(wantsEnvelope(fakeRequest({}, 'application/json'))).toBe(false);
    expect(wantsEnvelope(fakeRequest({}))).toBe(false);
  });
});

describe('parsePage', () => {
  it('defaults: the maximum without the envelope, the default limit with it', () => {
    expect(parsePage(fakeRequest({}), LIMITS)).toEqual({ offset: 0, limit: 200, envelope: false });
    expect(parsePage(fakeRequest({}, PAGINATION_MEDIA_TYPE), LIMITS)).toEqual({ offset: 0, limit: 20, envelope: true });
  });

  it('reads offset and limit, clamps the limit to [1, max] and takes absolute values', () => {
    expect(parsePage(fakeRequest({ offset: '5', limit: '10' }), LIMITS)).toMatchObject({ offset: 5, limit: 10 });
    expect(parsePage(fakeRequest({ limit: '100000' }), LIMITS).limit).toBe(200);
    expect(parsePage(fakeRequest({ limit: '0' }), LIMITS).limit).toBe(1);
    expect(parsePage(fakeRequest({ offset: '-3', limit: '-7' }), LIMITS)).toMatchObject({ offset: 3, limit: 7 });
  });

  it.each([{ offset: 'x' }, { limit: '1.5' }, { limit: '' }, { offset: ['1', '2'] }])('refuses %p with invalid_query', (query) => {
    let caught: unknown;
    try {
      parsePage(fakeRequest(query), LIMITS);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HubError);
    expect((caught as HubError).code).toBe('invalid_query');
    expect((caught as HubError).status).toBe(400);
  });
});

describe('pageBody', () => {
  it('returns the bare list without the envelope', () => {
    const req = fakeRequest({});
    expect(pageBody(req, parsePage(req, LIMITS), ['a', 'b'], 2)).toEqual(['a', 'b']);
  });

  it('wraps items with _pagination and a next link that keeps other query parameters', () => {
    const req = fakeRequest({ offset: '0', limit: '2' }, PAGINATION_MEDIA_TYPE, '/hub/api/users?name_filter=a&offset=0&limit=2');
    expect(pageBody(req, parsePage(req, LIMITS), ['a', 'b'], 5)).toEqual({
      items: ['a', 'b'],
      _pagination: {
        offset: 0,
        limit: 2,
        total: 5,
        next: { offset: 2, limit: 2, url: 'http://hub.example:8000/hub/api/users?name_filter=a&offset=2&limit=2' },
      },
    });
  });

  it('next is null on the last page', () => {
    const req = fakeRequest({ offset: '4', limit: '2' }, PAGINATION_MEDIA_TYPE);
    expect(pageBody(req, parsePage(req, LIMITS), ['e'], 5)).toEqual({ items: ['e'], _pagination: { offset: 4, limit: 2, total: 5, next: null } });
  });
});
