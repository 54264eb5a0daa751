import { referenceSemantics, type LoginCart, type Semantics, type Timeouts } from '../adapters/semantics.ts';

/** The reference server's defaults, used where a target declares none of its own. */
export const defaultTimeouts: Timeouts = referenceSemantics.timeouts;

export interface ModelConfig {
  timeouts: Timeouts;
  loginCart: LoginCart;
  maxLineQuantity: number;
  /**
   * How far the server's clock may run ahead of the model's: the model's time is the sum of clock advances, the
   * server's also moves with the wall clock while a run takes. No clock advance may land a deadline in this band.
   */
  slackMs: number;
}

export function modelConfig(semantics: Semantics): ModelConfig {
  return {
    timeouts: semantics.timeouts,
    loginCart: semantics.loginCart,
    maxLineQuantity: semantics.maxLineQuantity,
    slackMs: 30_000,
  };
}

/**
 * The quantity a line holds after login folds a guest line into the user's cart, by the declared rule. The model
 * owns this rule: were it shared with a server, a wrong rule would be wrong on both sides and never seen.
 */
export function mergedQuantity(rule: LoginCart, user: number | undefined, guest: number, cap: number): number {
  if (user === undefined) return Math.min(guest, cap);
  if (rule === 'sum') return Math.min(user + guest, cap);
  if (rule === 'max') return Math.max(user, guest);
  if (rule === 'keep-user') return user;
  return guest;
}

export interface RefreshFamilyState {
  generation: number;
  rotatedAt: number;
}

export interface SessionState {
  key: number;
  /** Index of the signed-in user, or null for a guest session. */
  user: number | null;
  createdAt: number;
  /** Last activity the server surely saw, and the latest it may have seen (a rejected request may count or not). */
  seenMin: number;
  seenMax: number;
  idleMs: number;
  absoluteAt: number | null;
  ended: boolean;
  family: RefreshFamilyState | null;
}

export interface ClientState {
  name: string;
  /** The session the client's cookie names (it may have ended since), or null for an empty jar. */
  cookie: number | null;
  /** The session whose CSRF token the client holds. */
  csrfOf: number | null;
  access: { session: number; expiresAt: number } | null;
  /** The refresh tokens the client holds: one family, the generations it was given. */
  refresh: { session: number; generations: number[] } | null;
}

/** An order as the model knows it: its lines, the idempotency key and body variant it was made with, its id once seen. */
export interface OrderState {
  id: string;
  items: { sku: string; quantity: number }[];
  key: number | null;
  variant: number;
}

export type OwnerKey = `guest:${number}` | `user:${number}`;

/** What a request resolves to on a correct server. */
export type Resolution = { kind: 'session'; session: SessionState } | { kind: 'anonymous' } | { kind: 'rejected' };

/**
 * The sequential model: users, sessions, refresh families, carts, what each client holds, and the clock. It is the
 * specification of docs/semantics.md written as state transitions; commands compare every answer with it.
 */
export class Model {
  now = 0;
  readonly sessions: SessionState[] = [];
  readonly clients: ClientState[] = [];
  readonly carts = new Map<OwnerKey, Map<string, number>>();
  /** Each user's orders, oldest first. */
  readonly orders = new Map<number, OrderState[]>();
  /** Each user's wishlist: product id -> `addedAt` as the server first showed it (null until seen). */
  readonly wishlists = new Map<number, Map<string, number | null>>();

  constructor(
    readonly config: ModelConfig,
    readonly userCount: number,
  ) {}

  toString(): string {
    return `Model(now=${this.now}, clients=${this.clients.length}, sessions=${this.sessions.length})`;
  }

  addClient(state: Omit<ClientState, 'name'>): ClientState {
    const client = { name: `c${this.clients.length}`, ...state };
    this.clients.push(client);
    return client;
  }

  /** Earliest and latest instant the session may expire at, in model time. */
  expiryBounds(session: SessionState): [number, number] {
    const cap = session.absoluteAt ?? Number.POSITIVE_INFINITY;
    return [Math.min(session.seenMin + session.idleMs, cap), Math.min(session.seenMax + session.idleMs, cap)];
  }

  isLive(session: SessionState): boolean {
    return !session.ended && this.now < this.expiryBounds(session)[0];
  }

  cookieSession(client: ClientState): SessionState | null {
    const session = client.cookie === null ? null : this.sessions[client.cookie]!;
    return session && this.isLive(session) ? session : null;
  }

  resolve(client: ClientState, via: 'cookie' | 'bearer'): Resolution {
    if (via === 'cookie') {
      const session = this.cookieSession(client);
      return session ? { kind: 'session', session } : { kind: 'anonymous' };
    }
    const access = client.access;
    if (!access) return { kind: 'anonymous' };
    const session = this.sessions[access.session]!;
    return this.isLive(session) && this.now < access.expiresAt ? { kind: 'session', session } : { kind: 'rejected' };
  }

  /** Whether a cookie request may write: a live session needs its own CSRF token. */
  holdsCsrf(client: ClientState): boolean {
    const session = this.cookieSession(client);
    return session !== null && client.csrfOf === session.key;
  }

  /**
   * A request reached the session. A server with a touch window moves `lastSeenAt` only once it lags by more than
   * the window, so what it surely saw is no earlier than now minus the window.
   */
  touch(session: SessionState, surely: boolean): void {
    session.seenMax = this.now;
    if (surely) session.seenMin = Math.max(session.seenMin, this.now - (this.config.timeouts.touchWindowMs ?? 0));
  }

  startSession(user: number | null): SessionState {
    const { timeouts } = this.config;
    const session: SessionState = {
      key: this.sessions.length,
      user,
      createdAt: this.now,
      seenMin: this.now,
      seenMax: this.now,
      idleMs: user === null ? timeouts.guestIdleMs : timeouts.idleMs,
      absoluteAt: user === null ? null : this.now + timeouts.absoluteMs,
      ended: false,
      family: user === null ? null : { generation: 0, rotatedAt: this.now },
    };
    this.sessions.push(session);
    return session;
  }

  /** Ends a session with its refresh family and, for a guest, its cart. */
  endSession(session: SessionState): void {
    session.ended = true;
    if (session.user === null) this.carts.delete(ownerOf(session));
  }

  cart(owner: OwnerKey): Map<string, number> {
    let cart = this.carts.get(owner);
    if (!cart) this.carts.set(owner, (cart = new Map()));
    return cart;
  }

  /** Login folds the guest cart into the user's by the declared rule; the guest cart is gone afterwards. */
  merge(guest: SessionState, user: number): void {
    const source = this.carts.get(ownerOf(guest));
    this.carts.delete(ownerOf(guest));
    const { loginCart, maxLineQuantity } = this.config;
    if (loginCart === 'drop') return;
    if (loginCart === 'adopt') {
      if (source && source.size > 0) this.carts.set(`user:${user}`, source);
      return;
    }
    const target = this.cart(`user:${user}`);
    for (const [sku, quantity] of source ?? []) {
      target.set(sku, mergedQuantity(loginCart, target.get(sku), quantity, maxLineQuantity));
    }
  }

  liveSessionsOf(user: number): SessionState[] {
    return this.sessions.filter((session) => session.user === user && this.isLive(session));
  }

  /** Times a clock advance must not land in: near expiries of sessions, access tokens and grace windows. */
  uncertainBands(): [number, number][] {
    const { slackMs, timeouts } = this.config;
    const out: [number, number][] = [];
    for (const session of this.sessions) {
      if (session.ended) continue;
      const [lo, hi] = this.expiryBounds(session);
      // a second past the latest expiry too: instances on different hosts may disagree on the time by that much
      out.push([lo - slackMs, hi + 1000]);
      if (session.family && session.family.generation > 0) {
        const end = session.family.rotatedAt + timeouts.refreshGraceMs;
        out.push([end - timeouts.refreshGraceMs / 2, end + 1000]);
      }
    }
    for (const client of this.clients) {
      if (client.access) {
        const end = client.access.expiresAt;
        out.push([end - slackMs, end + 1000]);
      }
    }
    return out;
  }

  /** True when, after advancing by `ms`, some outcome would depend on how long the run took on the wall clock. */
  advanceIsAmbiguous(ms: number): boolean {
    const then = this.now + ms;
    return this.uncertainBands().some(([from, to]) => then >= from && then < to);
  }
}

export function ownerOf(session: SessionState): OwnerKey {
  return session.user === null ? `guest:${session.key}` : `user:${session.user}`;
}

export function linesOf(cart: Map<string, number> | undefined): { sku: string; quantity: number }[] {
  return [...(cart ?? [])]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}
