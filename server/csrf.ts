import { timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { AppContext } from './context.ts';
import { fail } from './errors.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refresh is authenticated by its token in the body, and test controls are not user actions. */
const exemptPaths = ['/auth/refresh', '/__control/'];

/**
 * A cookie-authenticated unsafe request must carry the CSRF token of the very session its cookie names. Bearer
 * requests are exempt: a browser never attaches an Authorization header on its own.
 */
export async function csrfProtection(ctx: AppContext, next: Koa.Next): Promise<void> {
  const identity = ctx.state.identity;
  if (
    identity?.via === 'cookie' &&
    !safeMethods.has(ctx.method) &&
    !exemptPaths.some((path) => ctx.path.startsWith(path)) &&
    !tokensEqual(ctx.get('x-csrf-token'), identity.session.csrfToken)
  ) {
    fail('CSRF_TOKEN_INVALID');
  }
  await next();
}

function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
