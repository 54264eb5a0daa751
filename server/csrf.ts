import { timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { AppContext, Identity } from './context.ts';
import type { AppMiddleware } from './parts.ts';
import { fail } from './errors.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refresh is authenticated by its token in the body, and test controls are not user actions. */
const exemptPaths = ['/auth/refresh', '/__control/'];

/**
 * A cookie-authenticated unsafe request must carry a CSRF token that `accepts` approves. Bearer requests are
 * exempt: a browser never attaches an Authorization header on its own.
 */
export function csrfProtection(accepts: (given: string, identity: Identity) => boolean): AppMiddleware {
  return async function checkCsrf(ctx: AppContext, next: Koa.Next): Promise<void> {
    const identity = ctx.requestSession.identity;
    if (
      identity?.via === 'cookie' &&
      !safeMethods.has(ctx.method) &&
      !exemptPaths.some((path) => ctx.path.startsWith(path)) &&
      !accepts(ctx.get('x-csrf-token'), identity)
    ) {
      fail('CSRF_TOKEN_INVALID');
    }
    await next();
  };
}

/** The token must be the one of the very session the cookie names. */
export const sessionBoundCsrf = csrfProtection((given, identity) => tokensEqual(given, identity.session.csrfToken));

function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
