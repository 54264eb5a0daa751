import type Koa from 'koa';
import createSession from 'koa-session';
import type { Clock } from './clock.ts';
import type { AppContext, AppCustom, AppState, Identity, Services } from './context.ts';
import { fail } from './errors.ts';
import type { SessionLifecycle } from './parts.ts';
import { randomToken } from './ids.ts';
import { isSessionLive, type Cart, type SessionRecord, type Store } from './stores/store.ts';

/** The record fields out of koa-session's session object (which also carries its own `_expire`, `_maxAge`). */
function toRecord(data: Record<string, unknown>): SessionRecord {
  return {
    id: data['id'],
    userId: data['userId'],
    csrfToken: data['csrfToken'],
    createdAt: data['createdAt'],
    lastSeenAt: data['lastSeenAt'],
    idleTimeoutMs: data['idleTimeoutMs'],
    absoluteExpiresAt: data['absoluteExpiresAt'],
  } as SessionRecord;
}

function sameRecord(a: SessionRecord, b: SessionRecord): boolean {
  return (
    a.id === b.id &&
    a.userId === b.userId &&
    a.csrfToken === b.csrfToken &&
    a.createdAt === b.createdAt &&
    a.lastSeenAt === b.lastSeenAt &&
    a.idleTimeoutMs === b.idleTimeoutMs &&
    a.absoluteExpiresAt === b.absoluteExpiresAt
  );
}

/**
 * Cookie requests whose session the store touched while loading it, with the time it was touched to: the identity
 * middleware then has nothing left to write.
 */
const touchedOnLoad = new WeakMap<object, number>();

/** Cart reads whose cart the store handed over with the cookie session, and the session it was loaded for. */
const cartOnLoad = new WeakMap<object, { sessionId: string; cart: Cart }>();

/** The cart loaded with the request's cookie session, if that session is the identity asking for it. */
export function cartLoadedWith(ctx: AppContext, { via, session }: Identity): Cart | undefined {
  const loaded = cartOnLoad.get(ctx);
  return via === 'cookie' && loaded?.sessionId === session.id ? loaded.cart : undefined;
}

/**
 * koa-session's external store, one instance per request. It remembers the session it loaded, so a save under that
 * secret is a conditional update (an ended session stays ended) and a save under a secret koa-session just
 * generated is a create. Saving unchanged data again is skipped. A cookie request loads its session and moves its
 * idle timer in one store step; a request that authenticates with a bearer token only reads the cookie's session.
 */
function cookieStoreFor(store: Store, clock: Clock) {
  return class CookieSessionStore {
    readonly #ctx: Koa.Context;
    #secret: string | undefined;
    /** What the store holds under `#secret`, as this request last read or wrote it. */
    #written: SessionRecord | undefined;

    constructor(ctx: Koa.Context) {
      this.#ctx = ctx;
    }

    async get(secret: string): Promise<SessionRecord | null> {
      const touching = !this.#ctx.get('authorization');
      const now = clock.now();
      const record = touching ? await this.#findAndTouch(secret, now) : await store.findSessionBySecret(secret);
      if (record && touching && isSessionLive(record, now)) touchedOnLoad.set(this.#ctx, now);
      // A copy: a caching store (or a fault seam) may hand the same object to other requests.
      if (record) [this.#secret, this.#written] = [secret, { ...record }];
      return record;
    }

    async #findAndTouch(secret: string, now: number): Promise<SessionRecord | null> {
      if (!(this.#ctx.state as AppState).readsCart) return store.findSessionBySecretAndTouch(secret, now);
      const found = await store.findSessionWithCart(secret, now, randomToken());
      if (found?.cart) cartOnLoad.set(this.#ctx, { sessionId: found.session.id, cart: found.cart });
      return found?.session ?? null;
    }

    async set(secret: string, data: Record<string, unknown>): Promise<void> {
      const record = toRecord(data);
      if (secret !== this.#secret) await store.createSession(secret, record);
      else if (!this.#written || !sameRecord(record, this.#written)) await store.replaceSession(secret, record);
      [this.#secret, this.#written] = [secret, record];
    }

    async destroy(secret: string): Promise<void> {
      if (secret === this.#secret && this.#written !== undefined) await store.endSession(this.#written.id);
    }
  };
}

export function cookieSessions(app: Koa<AppState, AppCustom>, services: Services, signed: boolean) {
  const { config, store, clock } = services;
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
      ContextStore: cookieStoreFor(store, clock),
      genid: () => randomToken(32),
      valid: (_ctx: unknown, data: Record<string, unknown>) => isSessionLive(toRecord(data), clock.now()),
    },
    app,
  );
}

/**
 * Resolves `ctx.state.identity` from a bearer token (checked against its live session on every request, so logout
 * takes effect before `exp`) or from the session cookie, and records the activity that moves the idle timer.
 */
export async function resolveIdentity(ctx: AppContext, next: Koa.Next): Promise<void> {
  const { store, tokens, clock } = ctx.services;
  const authorization = ctx.get('authorization');
  ctx.state.identity = null;
  if (authorization) {
    // The auth scheme is case-insensitive (RFC 9110 11.1); the token is not.
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(authorization) ?? fail('AUTH_TOKEN_INVALID');
    const claims = await tokens.verifyAccess(match[1]!);
    const session = await store.findSession(claims.sessionId);
    const now = clock.now();
    if (!session || session.userId !== claims.userId || !isSessionLive(session, now)) fail('AUTH_SESSION_ENDED');
    if (!(await store.touchSession(session.id, now))) fail('AUTH_SESSION_ENDED');
    ctx.state.identity = { via: 'bearer', session: { ...session, lastSeenAt: now } };
  } else {
    const cookie = ctx.session;
    if (cookie && !cookie.isNew) {
      const session = toRecord(cookie);
      const touchedAt = touchedOnLoad.get(ctx);
      const now = touchedAt ?? clock.now();
      if (touchedAt !== undefined || (await store.touchSession(session.id, now))) {
        ctx.state.identity = { via: 'cookie', session: { ...session, lastSeenAt: now } };
      }
    }
  }
  await next();
}

/** Issues a new cookie session: new secret and new public id, the previous cookie session ended. */
export async function startCookieSession(ctx: AppContext, record: SessionRecord): Promise<Identity> {
  ctx.session = { ...record } as unknown as AppContext['session'];
  await ctx.session!.regenerate();
  return (ctx.state.identity = { via: 'cookie', session: record });
}

/** A fresh guest session: new public id and CSRF token, guest idle timeout, no absolute limit. */
export function guestRecord(now: number, idleTimeoutMs: number): SessionRecord {
  return {
    id: randomToken(),
    userId: null,
    csrfToken: randomToken(),
    createdAt: now,
    lastSeenAt: now,
    idleTimeoutMs,
    absoluteExpiresAt: null,
  };
}

/** The caller's identity, creating a guest session for a client that has none. */
export async function ensureSession(ctx: AppContext): Promise<Identity> {
  if (ctx.state.identity) return ctx.state.identity;
  const { clock, config } = ctx.services;
  return startCookieSession(ctx, guestRecord(clock.now(), config.guestIdleTimeoutMs));
}

/** Writes need a session the client already holds: a write never mints one the client could not have known. */
export function requireSession(ctx: AppContext): Identity {
  return ctx.state.identity ?? fail('AUTH_SESSION_REQUIRED');
}

export function requireUser(ctx: AppContext): Identity & { session: { userId: string } } {
  const identity = ctx.state.identity;
  if (!identity || identity.session.userId === null) fail('AUTH_REQUIRED');
  return identity as Identity & { session: { userId: string } };
}

/** Clears the session cookie; the session record goes too when the cookie held a live one. */
export function dropCookieSession(ctx: AppContext): void {
  ctx.session = null;
}

export const cookieLifecycle: SessionLifecycle = { rotate: startCookieSession, end: dropCookieSession };

/** Whether the request's session cookie names the given session. */
export function cookieNames(ctx: AppContext, sessionId: string): boolean {
  return ctx.session !== null && !ctx.session.isNew && ctx.session['id'] === sessionId;
}
