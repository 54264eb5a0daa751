import Koa from 'koa';
import { jsonBody } from './body.ts';
import type { AppCustom, AppState, Services } from './context.ts';
import { cookieSessions } from './cookie-session.ts';
import { cookieSigner } from './cookie-signing.ts';
import { errorHandler } from './error-handler.ts';
import { fail, HttpError } from './errors.ts';
import { requestLogging } from './logging.ts';
import type { ServerParts } from './parts.ts';
import { requestSessions } from './request-session.ts';
import { authRoutes } from './routes/auth.ts';
import { cartRoutes, readsCart } from './routes/cart.ts';
import { controlRoutes } from './routes/control.ts';
import { metaRoutes } from './routes/meta.ts';
import { ordersRoutes } from './routes/orders.ts';
import { createRouter } from './routes/router.ts';
import { sessionRoutes } from './routes/session.ts';
import { sessionsRoutes } from './routes/sessions.ts';
import { wishlistRoutes } from './routes/wishlist.ts';

export type App = Koa<AppState, AppCustom>;

/**
 * The reference server as a Koa app, assembled from `parts`. Discovery, health, metrics and test controls answer
 * before the session layer; everything else passes through the request's session (opened, then loaded by
 * koa-session), identity and CSRF in that order.
 */
export function createApp(services: Services, parts: ServerParts): App {
  const { config } = services;
  const app: App = new Koa<AppState, AppCustom>({ proxy: !config.dev });
  app.keys = cookieSigner(config.cookieKeys);
  app.context.services = services;
  app.silent = true;

  const outside = createRouter();
  metaRoutes(outside);
  if (config.testControls) controlRoutes(outside);

  const inside = createRouter();
  sessionRoutes(inside);
  authRoutes(inside);
  sessionsRoutes(inside);
  cartRoutes(inside);
  wishlistRoutes(inside);
  ordersRoutes(inside);

  app.use(requestLogging(services.logger));
  app.use(services.metrics.middleware);
  app.use(errorHandler);
  app.use(jsonBody(config.bodyLimitBytes));
  app.use(outside.routes());
  if (!config.dev) app.use(requireHttps);
  app.use(requestSessions(readsCart));
  app.use(cookieSessions(app, services, parts.signedCookies));
  app.use(parts.identity);
  app.use(parts.csrf);
  app.use(inside.routes());
  app.use(inside.allowedMethods(methodRefusals));
  app.use(outside.allowedMethods(methodRefusals));
  return app;
}

/** A method no route implements (PROPFIND, say) is refused like a known one the route lacks: 405, not 501. */
const methodRefusals = { throw: true, notImplemented: () => new HttpError('METHOD_NOT_ALLOWED') };

/** Outside dev, cookies are Secure: a plain-HTTP request could never keep its session, so say so up front. */
async function requireHttps(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  if (!ctx.secure) fail('HTTPS_REQUIRED');
  await next();
}
