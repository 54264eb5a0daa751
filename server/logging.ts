import type Koa from 'koa';
import pino, { type Logger } from 'pino';
import type { AppContext } from './context.ts';
import { randomToken } from './ids.ts';

export function createLogger(level: string): Logger {
  return pino({ name: 'sessionproof', level });
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** Gives each request an id (the caller's `x-request-id` when well-formed), a child logger and one access line. */
export function requestLogging(logger: Logger) {
  return async function logRequest(ctx: AppContext, next: Koa.Next): Promise<void> {
    const given = ctx.get('x-request-id');
    const requestId = requestIdPattern.test(given) ? given : randomToken(9);
    const started = process.hrtime.bigint();
    ctx.state.requestId = requestId;
    ctx.log = logger.child({ requestId });
    ctx.set('x-request-id', requestId);
    try {
      await next();
    } finally {
      if (logger.isLevelEnabled('info')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        ctx.log.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms }, 'request');
      }
    }
  };
}
