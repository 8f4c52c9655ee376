import type { NextFunction, Request, Response } from 'express';
import { HubError } from '../errors';

/**
 * Deepest nesting of arrays and objects a request body may have. Deeper documents are refused
 * before parsing: writing one back (JSON.stringify when it is stored) would exhaust the stack.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Nesting depth of the JSON text `text` (arrays and objects; brackets inside strings are not
 * counted), stopping early once it exceeds `limit`. Runs in one pass without recursion.
 */
export function jsonDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return deepest;
}

/**
 * Reads a JSON request body (up to `limitBytes`) into `req.body`: an empty body is `undefined`,
 * invalid JSON or UTF-8 is `invalid_json`, nesting deeper than {@link MAX_JSON_DEPTH} is
 * `json_too_deep`, too large is `payload_too_large` (413). Only `application/json` (or no
 * content type with an empty body) is accepted on API routes.
 */
export function jsonBody(limitBytes: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || req.readableEnded) {
      next();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limitBytes) {
      req.resume();
      next(new HubError('payload_too_large', `The request body is larger than ${limitBytes} bytes.`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        next(new HubError('payload_too_large', `The request body is larger than ${limitBytes} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      if (!failed) next(err);
      failed = true;
    });
    req.on('end', () => {
      if (failed) return;
      const raw = Buffer.concat(chunks);
      if (raw.length === 0) {
        req.body = undefined;
        next();
        return;
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (type !== '' && type !== 'application/json' && !type.endsWith('+json') && type !== 'text/plain') {
        next(new HubError('unsupported_media_type', `Content-Type ${type} is not accepted; send application/json.`));
        return;
      }
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
      } catch {
        next(new HubError('invalid_json', 'The request body is not valid JSON.'));
        return;
      }
      if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        next(new HubError('json_too_deep', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`, { details: { maxDepth: MAX_JSON_DEPTH } }));
        return;
      }
      try {
        req.body = JSON.parse(text) as unknown;
        next();
      } catch {
        next(new HubError('invalid_json', 'The request body is not valid JSON.'));
      }
    });
  };
}
