import type Koa from 'koa';
import type { AppContext, Identity } from './context.ts';
import { sessionBoundCsrf } from './csrf.ts';
import { previousTokenPolicy } from './refresh.ts';
import { cookieLifecycle, resolveIdentity } from './request-session.ts';
import type { RefreshFamily, SessionRecord, Store } from './stores/store.ts';

export type AppMiddleware = (ctx: AppContext, next: Koa.Next) => Promise<void>;

/** How a cookie session is replaced at login and ended at logout. */
export interface SessionLifecycle {
  /** Replaces the request's cookie session with a new one (new secret, new id) at login. */
  rotate(ctx: AppContext, record: SessionRecord): Promise<Identity>;
  /** Ends the request's cookie session and expires the cookie. */
  end(ctx: AppContext): void;
}

/** The two decisions of refresh-token rotation that production systems get wrong. */
export interface RefreshPolicy {
  /** Whether a token older than the family's current one still refreshes, receiving the current successor. */
  acceptsEarlier(generation: number, family: RefreshFamily, now: number, graceMs: number): boolean;
  /** What reuse detection revokes. */
  revoke(store: Store, family: RefreshFamily): Promise<void>;
}

/** The seams the server is assembled from. Faults rewrite them; the clean server uses them as built. */
export interface ServerParts {
  store: Store;
  signedCookies: boolean;
  lifecycle: SessionLifecycle;
  refreshPolicy: RefreshPolicy;
  identity: AppMiddleware;
  csrf: AppMiddleware;
}

export function cleanParts(store: Store): ServerParts {
  return {
    store,
    signedCookies: true,
    lifecycle: cookieLifecycle,
    refreshPolicy: previousTokenPolicy,
    identity: resolveIdentity,
    csrf: sessionBoundCsrf,
  };
}
