import type Koa from 'koa';
import type { AppContext, Identity } from './context.ts';
import { fail } from './errors.ts';
import { randomToken } from './ids.ts';
import type { AppMiddleware, SessionLifecycle } from './parts.ts';
import {
  cartOwnerOf,
  isSessionLive,
  isTouchDue,
  type Cart,
  type CartOwner,
  type SessionRecord,
} from './stores/store.ts';

/** The record fields out of koa-session's session object (which also carries its own `_expire`, `_maxAge`). */
export function toRecord(data: Record<string, unknown>): SessionRecord {
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

export type UserIdentity = Identity & { session: { userId: string } };

/**
 * One request's session, from load to save, as koa-session's ContextSession is for its cookie: created once per
 * request before the session layer and reached as `ctx.requestSession`. koa-session's external store delegates
 * to it (load, save, destroy), the identity seam asks it who is calling, and handlers ask it for the session and
 * the cart that session reaches.
 *
 * A cookie request loads its session and moves its idle timer in one store step; a cart read (`readsCart`) loads
 * the cart in the same step. The idle timer moves only when a touch is due (isTouchDue with the configured touch
 * window), so most reads write nothing. A request that authenticates with a bearer token only reads the cookie's
 * session, its identity being the token's. Saving remembers the session loaded, so a save under that secret is a
 * conditional update (an ended session stays ended), a save under a secret koa-session just generated is a create,
 * and saving unchanged data again is skipped.
 */
export class RequestSession {
  /** Who is calling: resolved by the identity seam, replaced when the request starts a new cookie session. */
  identity: Identity | null = null;
  readonly #ctx: AppContext;
  readonly #readsCart: boolean;
  readonly #authorization: string;
  #secret: string | undefined;
  /** What the store holds under `#secret`, as this request last read or wrote it. */
  #written: SessionRecord | undefined;
  /** The `lastSeenAt` of the live session the load found, after its touch: resolving then has nothing to write. */
  #seenAt: number | undefined;
  #loadedCart: { sessionId: string; cart: Cart } | undefined;

  constructor(ctx: AppContext, readsCart: boolean) {
    this.#ctx = ctx;
    this.#readsCart = readsCart;
    this.#authorization = ctx.get('authorization');
  }

  /** koa-session's load of the cookie's secret. */
  async load(secret: string): Promise<SessionRecord | null> {
    const now = this.#ctx.services.clock.now();
    const record = await this.#find(secret, now);
    if (record && !this.#authorization && isSessionLive(record, now)) {
      this.#seenAt = isTouchDue(record, now, this.#ctx.services.config.touchWindowMs) ? now : record.lastSeenAt;
    }
    // A copy: a caching store (or a fault seam) may hand the same object to other requests.
    if (record) [this.#secret, this.#written] = [secret, { ...record }];
    return record;
  }

  async #find(secret: string, now: number): Promise<SessionRecord | null> {
    const { store, config } = this.#ctx.services;
    if (this.#authorization) return store.findSessionBySecret(secret);
    if (!this.#readsCart) return store.findSessionBySecretAndTouch(secret, now, config.touchWindowMs);
    const found = await store.findSessionWithCart(secret, now, config.touchWindowMs, randomToken());
    if (found?.cart) this.#loadedCart = { sessionId: found.session.id, cart: found.cart };
    return found?.session ?? null;
  }

  /** koa-session's save at the end of the request, or when a new cookie session is started. */
  async save(secret: string, record: SessionRecord): Promise<void> {
    const { store } = this.#ctx.services;
    if (secret !== this.#secret) await store.createSession(secret, record);
    else if (!this.#written || !sameRecord(record, this.#written)) await store.replaceSession(secret, record);
    [this.#secret, this.#written] = [secret, record];
  }

  /** koa-session's removal of the cookie session: the session record goes too when the cookie held a live one. */
  async destroy(secret: string): Promise<void> {
    if (secret !== this.#secret || this.#written === undefined) return;
    await this.#ctx.services.store.endSession(this.#written.id);
  }

  /**
   * Resolves the identity from a bearer token (checked against its live session on every request, so logout takes
   * effect before `exp`) or from the session cookie, and records the activity that moves the idle timer.
   */
  async resolve(): Promise<void> {
    const { store, tokens, clock } = this.#ctx.services;
    if (this.#authorization) {
      // The auth scheme is case-insensitive (RFC 9110 11.1); the token is not.
      const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(this.#authorization) ?? fail('AUTH_TOKEN_INVALID');
      const claims = await tokens.verifyAccess(match[1]!);
      const session = await store.findSession(claims.sessionId);
      const now = clock.now();
      if (!session || session.userId !== claims.userId || !isSessionLive(session, now)) fail('AUTH_SESSION_ENDED');
      const seenAt = (await this.#touch(session, now)) ?? fail('AUTH_SESSION_ENDED');
      this.identity = { via: 'bearer', session: { ...session, lastSeenAt: seenAt } };
      return;
    }
    const cookie = this.#ctx.session;
    if (!cookie || cookie.isNew) return;
    const session = toRecord(cookie);
    const seenAt = this.#seenAt ?? (await this.#touch(session, clock.now()));
    if (seenAt !== null) this.identity = { via: 'cookie', session: { ...session, lastSeenAt: seenAt } };
  }

  /** Moves the idle timer when a touch is due: the session's `lastSeenAt` afterwards, or null when it has ended. */
  async #touch(session: SessionRecord, now: number): Promise<number | null> {
    const { store, config } = this.#ctx.services;
    if (!isTouchDue(session, now, config.touchWindowMs)) return session.lastSeenAt;
    return (await store.touchSession(session.id, now)) ? now : null;
  }

  /** The caller's identity, creating a guest session for a client that has none. */
  async ensure(): Promise<Identity> {
    if (this.identity) return this.identity;
    const { clock, config } = this.#ctx.services;
    return this.startCookieSession(guestRecord(clock.now(), config.guestIdleTimeoutMs));
  }

  /** Writes need a session the client already holds: a write never mints one the client could not have known. */
  require(): Identity {
    return this.identity ?? fail('AUTH_SESSION_REQUIRED');
  }

  requireUser(): UserIdentity {
    const identity = this.identity;
    if (!identity || identity.session.userId === null) fail('AUTH_REQUIRED');
    return identity as UserIdentity;
  }

  /** Whose cart the caller's session reaches; a cart write needs a session the client already holds. */
  cartOwner(): CartOwner {
    return cartOwnerOf(this.require().session);
  }

  /** The cart the caller's session reaches, the one loaded with the cookie session when that is the caller's. */
  async cart(): Promise<Cart> {
    const { via, session } = await this.ensure();
    const loaded = this.#loadedCart;
    if (via === 'cookie' && loaded?.sessionId === session.id) return loaded.cart;
    return this.#ctx.services.store.getOrCreateCart(cartOwnerOf(session), randomToken());
  }

  /** Signs the caller in to `record`, through the lifecycle seam. */
  rotate(record: SessionRecord): Promise<Identity> {
    return this.#ctx.services.lifecycle.rotate(this.#ctx, record);
  }

  /** Signs the cookie session out, through the lifecycle seam. */
  end(): void {
    this.#ctx.services.lifecycle.end(this.#ctx);
  }

  /** Issues a new cookie session: new secret and new public id, the previous cookie session ended. */
  async startCookieSession(record: SessionRecord): Promise<Identity> {
    const ctx = this.#ctx;
    ctx.session = { ...record } as unknown as AppContext['session'];
    await ctx.session!.regenerate();
    return (this.identity = { via: 'cookie', session: record });
  }

  /** Clears the session cookie; koa-session then destroys what it loaded. */
  dropCookieSession(): void {
    this.#ctx.session = null;
  }

  /** Whether the request's session cookie names the given session. */
  cookieNames(sessionId: string): boolean {
    const cookie = this.#ctx.session;
    return cookie !== null && !cookie.isNew && cookie['id'] === sessionId;
  }

  /** Whether the request's session cookie is signed in as the given user. */
  cookieSignedInAs(userId: string): boolean {
    return this.#ctx.session?.['userId'] === userId;
  }
}

/** Opens the request's session before the session layer; `readsCart` says whether it loads the cart with it. */
export function requestSessions(readsCart: (ctx: AppContext) => boolean): AppMiddleware {
  return async function openRequestSession(ctx: AppContext, next: Koa.Next): Promise<void> {
    ctx.requestSession = new RequestSession(ctx, readsCart(ctx));
    await next();
  };
}

/** The identity seam as built: the request's session resolves who is calling. */
export async function resolveIdentity(ctx: AppContext, next: Koa.Next): Promise<void> {
  await ctx.requestSession.resolve();
  await next();
}

/** The session lifecycle as built: login starts a new cookie session, logout drops it. */
export const cookieLifecycle: SessionLifecycle = {
  rotate: (ctx, record) => ctx.requestSession.startCookieSession(record),
  end: (ctx) => ctx.requestSession.dropCookieSession(),
};
