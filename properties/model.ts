import { referenceSemantics, type LoginCart, type Semantics, type Timeouts } from '../adapters/semantics.ts';

/** The reference server's defaults, used where a target declares none of its own. */
export const defaultTimeouts: Timeouts = referenceSemantics.timeouts;

/** What the model judges a target by: everything the target declares, and the run's tolerance for wall-clock time. */
export interface ModelConfig extends Semantics {
  /**
   * How far the server's clock may run ahead of the model's: the model's time is the sum of clock advances, the
   * server's also moves with the wall clock while a run takes. No clock advance may land a deadline in this band.
   */
  slackMs: number;
  /**
   * Every instance's clock stands still between advances, at the same instant (the freeze control): the model's time
   * is the server's to the millisecond, so a command may land exactly on a deadline.
   */
  exactTime: boolean;
  /** Whether login hands out an access and a refresh token (bearer identity, or a refresh operation). */
  tokens: boolean;
}

/**
 * Where the server's time comes from during a run: its clock control advanced by the suites while the wall clock also
 * runs, that control with the clock frozen between advances, or the wall clock alone.
 */
export type TimeSource = 'control' | 'frozen' | 'real-time';

/**
 * Where a run's time comes from. With the target's clock control, time moves only when a command advances it. In
 * real time it also moves while requests take, and a clock advance is a wait; the wall-clock milliseconds all runs
 * of a property may wait are `budget.leftMs`, shared, so the total stays bounded.
 */
export type Clock = { kind: 'control' } | { kind: 'real-time'; budget: { leftMs: number }; startedAt: number };

/** How far ahead of the model a target's clock may be in real time: a request's own duration, with room to spare. */
export const realTimeSlackMs = 2_000;

/** How far ahead of the model a clock-controlled target's clock may be: the wall-clock time a whole run may take. */
const controlSlackMs = 30_000;

export function modelConfig(
  semantics: Semantics,
  refreshes = semantics.identity !== 'cookie',
  time: TimeSource = 'control',
): ModelConfig {
  const tokens = semantics.identity === 'bearer' || semantics.identity === 'cookie+bearer' || refreshes;
  const slackMs = time === 'frozen' ? 0 : time === 'real-time' ? realTimeSlackMs : controlSlackMs;
  return { ...semantics, slackMs, exactTime: time === 'frozen', tokens };
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

/** Whose cart: one session's (a guest's, or any session's where carts live in the session), or one user's. */
export type OwnerKey = `session:${number}` | `user:${number}`;

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
  /** Sessions ended while surely live (logout, logout-all, delete, login replacing one, reuse): the stats count each. */
  endedLive = 0;

  constructor(
    readonly config: ModelConfig,
    readonly userCount: number,
    readonly clock: Clock = { kind: 'control' },
  ) {}

  /** Milliseconds a clock advance may still take: unbounded with a clock control, the shared budget in real time. */
  clockLeftMs(): number {
    return this.clock.kind === 'control' ? Number.POSITIVE_INFINITY : this.clock.budget.leftMs;
  }

  /** In real time, the model's time is the wall clock's since the run started. */
  syncWithWallClock(): void {
    if (this.clock.kind === 'real-time') this.now = Math.max(this.now, performance.now() - this.clock.startedAt);
  }

  /** The earliest time past which some session, token or grace window has surely expired; null when none is ahead. */
  nextDeadline(): number | null {
    const ahead = this.uncertainBands()
      .map(([, to]) => to)
      .filter((to) => to > this.now);
    return ahead.length === 0 ? null : Math.min(...ahead);
  }

  /** The end of the uncertain band the model's time is in now, or null when no outcome depends on the run's speed. */
  ambiguousUntil(): number | null {
    const bands = this.uncertainBands().filter(([from, to]) => this.now >= from && this.now < to);
    return bands.length === 0 ? null : Math.max(...bands.map(([, to]) => to));
  }

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
    if (this.now >= access.expiresAt) return { kind: 'rejected' };
    // a stateless token is good until it expires, whatever became of the session it was issued with
    return !this.config.logoutEndsAccessTokens || this.isLive(session)
      ? { kind: 'session', session }
      : { kind: 'rejected' };
  }

  /** Whether a cookie request may write: where the target checks CSRF, a live session needs its own token. */
  holdsCsrf(client: ClientState): boolean {
    const session = this.cookieSession(client);
    return session !== null && (!this.config.csrf || client.csrfOf === session.key);
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

  /** Ends a session with its refresh family and the cart that lives in it (a guest's, or any where carts do). */
  endSession(session: SessionState): void {
    if (this.isLive(session)) this.endedLive++;
    session.ended = true;
    const owner = this.ownerOf(session);
    if (owner.startsWith('session:')) this.carts.delete(owner);
  }

  ownerOf(session: SessionState): OwnerKey {
    return session.user === null || this.config.cartScope === 'session'
      ? `session:${session.key}`
      : `user:${session.user}`;
  }

  /**
   * Signs `client` in as `user`, as login does: with rotation a new session replaces the one the client held, and its
   * cart goes where the declared rule sends it; without, the client's session becomes the user's. Returns the session.
   */
  signIn(client: ClientState, user: number): SessionState {
    const previous = this.config.identity === 'bearer' ? null : this.cookieSession(client);
    if (previous && !this.config.rotatesOnLogin) {
      const owner = this.ownerOf(previous);
      const guestCart = previous.user === null ? this.carts.get(owner) : undefined;
      if (previous.user === null) this.carts.delete(owner);
      previous.user = user;
      previous.idleMs = this.config.timeouts.idleMs;
      previous.absoluteAt = this.now + this.config.timeouts.absoluteMs;
      previous.family = { generation: 0, rotatedAt: this.now };
      this.fold(guestCart, this.ownerOf(previous));
      return previous;
    }
    const session = this.startSession(user);
    if (previous) {
      // a cart that lives in the session (a guest's, or anyone's where carts do) moves on with the sign-in
      const owner = this.ownerOf(previous);
      if (owner.startsWith('session:')) {
        const source = this.carts.get(owner);
        this.carts.delete(owner);
        this.fold(source, this.ownerOf(session));
      }
      this.endSession(previous);
    }
    return session;
  }

  cart(owner: OwnerKey): Map<string, number> {
    let cart = this.carts.get(owner);
    if (!cart) this.carts.set(owner, (cart = new Map()));
    return cart;
  }

  /** Folds a cart left by a guest session into `target`'s by the declared login rule. */
  fold(source: Map<string, number> | undefined, target: OwnerKey): void {
    const { loginCart, maxLineQuantity } = this.config;
    if (loginCart === 'drop' || !source || source.size === 0) return;
    if (loginCart === 'adopt' || !this.carts.has(target)) {
      this.carts.set(target, new Map(source));
      return;
    }
    const cart = this.cart(target);
    for (const [sku, quantity] of source)
      cart.set(sku, mergedQuantity(loginCart, cart.get(sku), quantity, maxLineQuantity));
  }

  liveSessionsOf(user: number): SessionState[] {
    return this.sessions.filter((session) => session.user === user && this.isLive(session));
  }

  /**
   * Times a clock advance must not land in: near expiries of sessions, access tokens and grace windows. With exact
   * time only what the model cannot know is left: when a session may or may not have been touched, and the access
   * token's `exp`, which is in whole seconds.
   */
  uncertainBands(): [number, number][] {
    const { slackMs, timeouts, exactTime } = this.config;
    // instances on different hosts may disagree on the time by a second, unless all of them stand still together
    const hostsApartMs = exactTime ? 0 : 1000;
    const out: [number, number][] = [];
    for (const session of this.sessions) {
      if (session.ended) continue;
      const [lo, hi] = this.expiryBounds(session);
      out.push([lo - slackMs, hi + hostsApartMs]);
      if (!exactTime && session.family && session.family.generation > 0) {
        const end = session.family.rotatedAt + timeouts.refreshGraceMs;
        out.push([end - timeouts.refreshGraceMs / 2, end + 1000]);
      }
    }
    for (const client of this.clients) {
      if (client.access) {
        const end = client.access.expiresAt;
        out.push([end - Math.max(slackMs, 1000), end + 1000]);
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

export function linesOf(cart: Map<string, number> | undefined): { sku: string; quantity: number }[] {
  return [...(cart ?? [])]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}
