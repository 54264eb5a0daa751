import type { Context, Next } from 'koa';
import { fail } from './errors.ts';

/**
 * Reads a JSON body into `ctx.request.body`, refusing anything over `limitBytes` before buffering it. Requests
 * without a body get `{}` so handlers validate one shape.
 */
export function jsonBody(limitBytes: number) {
  return async function parseJsonBody(ctx: Context, next: Next): Promise<void> {
    if (ctx.method === 'GET' || ctx.method === 'HEAD' || !hasBody(ctx)) {
      ctx.request.body = {};
      return next();
    }
    if (ctx.request.length !== undefined && ctx.request.length > limitBytes) fail('PAYLOAD_TOO_LARGE');
    if (!ctx.request.is('application/json')) fail('UNSUPPORTED_MEDIA_TYPE');
    const text = await readLimited(ctx, limitBytes);
    if (text.trim() === '') {
      ctx.request.body = {};
      return next();
    }
    try {
      ctx.request.body = JSON.parse(text) as unknown;
    } catch {
      fail('MALFORMED_JSON');
    }
    return next();
  };
}

function hasBody(ctx: Context): boolean {
  return ctx.request.headers['transfer-encoding'] !== undefined || (ctx.request.length ?? 0) > 0;
}

async function readLimited(ctx: Context, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) fail('PAYLOAD_TOO_LARGE');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
