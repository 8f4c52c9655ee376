import type { NextFunction, Request, Response } from 'express';
import { HubError } from '../errors';

/**
 * Reads a JSON request body (up to `limitBytes`) into `req.body`: an empty body is `undefined`,
 * invalid JSON or UTF-8 is `invalid_json`, too large is `payload_too_large` (413). Only
 * `application/json` (or no content type with an empty body) is accepted on API routes.
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
      try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
        req.body = JSON.parse(text) as unknown;
        next();
      } catch {
        next(new HubError('invalid_json', 'The request body is not valid JSON.'));
      }
    });
  };
}
