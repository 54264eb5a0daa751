import type { Via } from './types.ts';
/**
 * What an app declares about itself. The model judges the app by these, so a server that differs from the
 * reference server on a point of design is not reported as a bug; the report prints them so a reader sees what was
 * assumed.
 */
export interface Timeouts {
  idleMs: number;
  absoluteMs: number;
  guestIdleMs: number;
  accessTokenMs: number;
  refreshGraceMs: number;
  /**
   * How far behind a request may leave a session's last activity: an app that moves the idle timer only once it lags
   * by more than this (to spare a write per read) may end a session up to this much before last request + idle.
   * Absent: every request moves it.
   */
  touchWindowMs?: number;
}

/** What login does with a guest cart: merge line by line with a rule, adopt it whole, or drop it. */
export type LoginCart = 'sum' | 'max' | 'replace' | 'keep-user' | 'adopt' | 'drop';

export interface Semantics {
  /** How identity travels: a session cookie, a bearer token, both, or a session id in the path. */
  identity: 'cookie' | 'bearer' | 'cookie+bearer' | 'path';
  /** Whether a visitor who has not signed in has a cart. */
  guestCarts: boolean;
  /** Whether a cart write without a session is refused or opens a session. */
  writeWithoutSession: 'refused' | 'opens-session';
  /**
   * Where a signed-in user's cart lives: one cart per account, or one per session (the cart kept in the session, so
   * each browser has its own and logout throws it away).
   */
  cartScope: 'user' | 'session';
  loginCart: LoginCart;
  /** `increment`: one line per SKU; `line-per-add`: each add is a line, the quantity of a SKU is the sum of its lines. */
  add: 'increment' | 'line-per-add';
  /** Whether logout ends access tokens at once, or only at their expiry (stateless JWT). */
  logoutEndsAccessTokens: boolean;
  /** Whether login issues a new session id (and secret). */
  rotatesOnLogin: boolean;
  /** Whether unsafe cookie requests need the session's CSRF token. */
  csrf: boolean;
  /**
   * Whether checkout honours an `Idempotency-Key`: a retry with the same key replays the first order, and another body
   * under it is refused. Without it, checkouts carry no key.
   */
  idempotencyKeys?: boolean;
  /**
   * Whether a refused refresh tells reuse apart: a token used before (outside the grace window) is refused as
   * `refresh-reused`, on which a client signs out, and an unknown, revoked or expired one as `refresh-invalid`.
   * Absent: every refused refresh may read as any of the refresh refusals.
   */
  tellsRefreshReuse?: boolean;
  /**
   * Whether cart lines come sorted by SKU and wishlist items by product id (contract v1 sorts both). Absent: any order,
   * compared as sets.
   */
  sortsItems?: boolean;
  /** The most a line may hold. */
  maxLineQuantity: number;
  /**
   * What an add that would take a line past `maxLineQuantity` does: `refused` (as invalid, the line unchanged) or
   * `capped` (taken, the line at the most it may hold). Absent: histories stay below the limit, where apps agree.
   */
  pastLineLimit?: 'refused' | 'capped';
  /**
   * The session cookie's name, where the app signs it the `cookies` module's way (koa-session, cookie-session): the
   * cookie `<name>.sig` holds its signature, set along with it, and the session cookie presented without it counts
   * as no cookie. Absent: not checked.
   */
  signedSessionCookie?: string;
  /**
   * The most one add may carry, where the app has such a limit: an add of exactly this much is taken, one more is
   * refused as invalid and changes nothing. Absent: not checked.
   */
  maxAddQuantity?: number;
  /**
   * Product ids the app refuses, each with how: say one it does not sell (`not-found`) and one malformed (`invalid`).
   * An add of one is refused that way and changes nothing. Absent: not checked.
   */
  refusedSkus?: RefusedSku[];
  timeouts: Timeouts;
  /** Product ids or SKUs the app sells; operations draw from the first few. */
  skus: string[];
}

export interface RefusedSku {
  sku: string;
  outcome: 'invalid' | 'not-found';
}

const minute = 60_000;

/** The reference server's defaults, which the contract-v1 adapter refines from discovery. */
export const referenceSemantics: Semantics = {
  identity: 'cookie+bearer',
  guestCarts: true,
  writeWithoutSession: 'refused',
  cartScope: 'user',
  loginCart: 'sum',
  add: 'increment',
  logoutEndsAccessTokens: true,
  rotatesOnLogin: true,
  csrf: true,
  idempotencyKeys: true,
  tellsRefreshReuse: true,
  sortsItems: true,
  maxLineQuantity: 1_000_000,
  maxAddQuantity: 1000,
  timeouts: {
    idleMs: 15 * minute,
    absoluteMs: 160 * minute,
    guestIdleMs: 24 * 60 * minute,
    accessTokenMs: 30 * minute,
    refreshGraceMs: 10_000,
  },
  skus: ['SKU-0001', 'SKU-0002', 'SKU-0003'],
};

/** How a client of this app names itself on most requests: its access token where that is all it has, else cookies. */
export function primaryVia(semantics: Pick<Semantics, 'identity'>): Exclude<Via, 'none'> {
  return semantics.identity === 'bearer' ? 'bearer' : 'cookie';
}
