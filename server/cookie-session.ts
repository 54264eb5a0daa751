import type Koa from 'koa';
import createSession from 'koa-session';
import type { AppContext, AppCustom, AppState, Services } from './context.ts';
import { randomToken } from './ids.ts';
import { toRecord, type RequestSession } from './request-session.ts';
import { isSessionLive, type SessionRecord } from './stores/store.ts';

/** koa-session's external store, constructed by koa-session once per request: the request's session does the work. */
class CookieSessionStore {
  readonly #session: RequestSession;

  constructor(ctx: AppContext) {
    this.#session = ctx.requestSession;
  }

  get(secret: string): Promise<SessionRecord | null> {
    return this.#session.load(secret);
  }

  set(secret: string, data: Record<string, unknown>): Promise<void> {
    return this.#session.save(secret, toRecord(data));
  }

  destroy(secret: string): Promise<void> {
    return this.#session.destroy(secret);
  }
}

/** koa-session over the store: the cookie carries only a random secret, the record lives in the store. */
export function cookieSessions(app: Koa<AppState, AppCustom>, services: Services, signed: boolean) {
  const { config, clock } = services;
  return createSession(
    {
      key: config.cookieName,
      signed,
      httpOnly: true,
      sameSite: 'lax',
      secure: !config.dev,
      maxAge: config.guestIdleTimeoutMs,
      rolling: false,
      renew: false,
      ContextStore: CookieSessionStore,
      genid: () => randomToken(32),
      valid: (_ctx: unknown, data: Record<string, unknown>) => isSessionLive(toRecord(data), clock.now()),
    },
    app,
  );
}
