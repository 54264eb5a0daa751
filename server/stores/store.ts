/**
 * The one store interface. Every operation that can race is a single store operation here, so atomicity lives
 * in the store (a synchronous critical section, a Redis script, a SQL statement) and never in a request handler.
 */

export interface User {
  id: string;
  email: string;
  passwordHash: string;
}

/** What a session record holds: identity, CSRF token and timestamps. Carts, tokens and orders live elsewhere. */
export interface SessionRecord {
  id: string;
  userId: string | null;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  idleTimeoutMs: number;
  absoluteExpiresAt: number | null;
}

export interface CartLine {
  sku: string;
  quantity: number;
}

export interface Cart {
  id: string;
  owner: 'guest' | 'user';
  items: CartLine[];
  version: number;
}

/** `guest:<session id>` or `user:<user id>`: at most one cart exists per key. */
export type CartOwner = `guest:${string}` | `user:${string}`;

export const mergeStrategies = ['sum', 'max', 'replace', 'keep-user'] as const;
export type MergeStrategy = (typeof mergeStrategies)[number];

export interface WishlistItem {
  productId: string;
  addedAt: number;
}

export interface Order {
  id: string;
  items: CartLine[];
  createdAt: number;
}

export interface CheckoutRequest {
  owner: CartOwner;
  userId: string;
  orderId: string;
  now: number;
  idempotencyKey: string | null;
  fingerprint: string;
}

export type CheckoutResult = { kind: 'created' | 'replayed'; order: Order } | { kind: 'empty' } | { kind: 'conflict' };

/** One family per signed-in session; `generation` counts rotations, `rotatedAt` is when it last moved. */
export interface RefreshFamily {
  id: string;
  sessionId: string;
  userId: string;
  generation: number;
  rotatedAt: number;
}

/** A cookie session as a cart read loads it: the session, and its cart when the session is live. */
export interface SessionWithCart {
  session: SessionRecord;
  cart: Cart | null;
}

export interface SweepResult {
  sessions: number;
  carts: number;
  refreshFamilies: number;
  /**
   * How long the batch held the store, measured there (a Redis script, a SQL statement), so the sweeper charges its
   * slice budget with the store's work and not the network's. Absent from a store that works in this process.
   */
  workMs?: number;
}

export interface SessionStats {
  live: number;
  expiredAwaitingSweep: number;
  created: number;
  ended: number;
  swept: number;
}

export type StoreKind = 'memory' | 'redis' | 'postgres';

export interface Store {
  readonly kind: StoreKind;

  /** False when the email is taken. */
  createUser(user: User): Promise<boolean>;
  findUserByEmail(email: string): Promise<User | null>;
  findUser(id: string): Promise<User | null>;

  createSession(secret: string, record: SessionRecord): Promise<void>;
  findSessionBySecret(secret: string): Promise<SessionRecord | null>;
  findSession(id: string): Promise<SessionRecord | null>;
  /** Overwrites the record only if the session still exists, so a late write cannot resurrect an ended session. */
  replaceSession(secret: string, record: SessionRecord): Promise<boolean>;
  /** Moves `lastSeenAt` (and so the idle expiry) only if the session still exists. */
  touchSession(id: string, lastSeenAt: number): Promise<boolean>;
  /**
   * findSessionBySecret and, when a touch is due (isTouchDue: the session is live at `now` and its `lastSeenAt` more
   * than `touchWindowMs` behind), touchSession to `now`, in one atomic step (one round trip where the two calls make
   * two; a read with no touch due writes nothing). Returns the record as it was found; an expired one comes back
   * untouched (its idle timer never moves), and null means no session, including one that ended while a due touch
   * ran.
   */
  findSessionBySecretAndTouch(secret: string, now: number, touchWindowMs: number): Promise<SessionRecord | null>;
  /**
   * findSessionBySecretAndTouch and, when the session is live at `now`, getOrCreateCart of the cart it reaches
   * (cartOwnerOf), in one step: a cart read in one round trip. `cart` is null for a session that is not live.
   */
  findSessionWithCart(
    secret: string,
    now: number,
    touchWindowMs: number,
    newCartId: string,
  ): Promise<SessionWithCart | null>;
  /** Ends the session with its refresh family and, for a guest, its cart. False if it was already gone. */
  endSession(id: string): Promise<boolean>;
  endUserSessions(userId: string): Promise<number>;
  listUserSessions(userId: string): Promise<SessionRecord[]>;
  sessionStats(now: number): Promise<SessionStats>;
  /** Removes up to `limit` sessions expired at `now`, with their guest carts and refresh families. */
  sweep(now: number, limit: number): Promise<SweepResult>;

  /**
   * The cart operations create the owner's cart when it is missing. A guest cart is only created while its guest
   * session exists, checked in the same atomic step: otherwise they throw GuestSessionEndedError and change nothing,
   * so a write racing the end of that session can neither land in a cart nobody will read nor outlive the session.
   */
  getOrCreateCart(owner: CartOwner, newCartId: string): Promise<Cart>;
  /** Adds to a line; `null` if the line would pass `maxLineQuantity` (nothing changes then). */
  addToCart(owner: CartOwner, newCartId: string, line: CartLine, maxLineQuantity: number): Promise<Cart | null>;
  /** Sets a line's quantity; 0 removes the line. */
  setCartLine(owner: CartOwner, newCartId: string, line: CartLine): Promise<Cart>;
  removeCartLine(owner: CartOwner, newCartId: string, sku: string): Promise<Cart>;
  /**
   * Ends the guest session that owns `guest` and folds its cart into the user cart, in one step: a guest-cart write
   * either lands before the merge and is carried over, or comes after it and is refused. A guest session already
   * gone merges nothing.
   */
  mergeCarts(
    guest: CartOwner,
    user: CartOwner,
    newCartId: string,
    strategy: MergeStrategy,
    maxLineQuantity: number,
  ): Promise<Cart>;

  getWishlist(userId: string): Promise<WishlistItem[]>;
  addWishlistItem(userId: string, item: WishlistItem): Promise<WishlistItem[]>;
  removeWishlistItem(userId: string, productId: string): Promise<WishlistItem[]>;

  /** Turns the cart into an order and empties it; an idempotency key replays the first outcome. */
  checkout(request: CheckoutRequest): Promise<CheckoutResult>;
  listOrders(userId: string): Promise<Order[]>;

  createRefreshFamily(family: RefreshFamily): Promise<void>;
  findRefreshFamily(id: string): Promise<RefreshFamily | null>;
  /** Compare-and-swap: moves the family to `fromGeneration + 1` only if it is still at `fromGeneration`. */
  advanceRefreshFamily(id: string, fromGeneration: number, rotatedAt: number): Promise<boolean>;

  ping(): Promise<void>;
  /** Empties every record, users included. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export function sessionExpiresAt(record: SessionRecord): number {
  const idleExpiresAt = record.lastSeenAt + record.idleTimeoutMs;
  return record.absoluteExpiresAt === null ? idleExpiresAt : Math.min(idleExpiresAt, record.absoluteExpiresAt);
}

export function isSessionLive(record: SessionRecord, now: number): boolean {
  return now < sessionExpiresAt(record);
}

/**
 * Whether a request at `now` moves the session's idle timer: only a live session, and only once its `lastSeenAt` is
 * more than `touchWindowMs` behind, so a burst of reads costs one write per window instead of one each.
 */
export function isTouchDue(record: SessionRecord, now: number, touchWindowMs: number): boolean {
  return isSessionLive(record, now) && now - record.lastSeenAt > touchWindowMs;
}

/**
 * findSessionBySecretAndTouch as its two steps through `store`'s own methods: what a decorator that changes either
 * step (a fault) must fall back to, so the fused call keeps the changed behaviour.
 */
export async function findThenTouchSession(
  store: Store,
  secret: string,
  now: number,
  touchWindowMs: number,
): Promise<SessionRecord | null> {
  const record = await store.findSessionBySecret(secret);
  if (!record || !isTouchDue(record, now, touchWindowMs)) return record;
  return (await store.touchSession(record.id, now)) ? record : null;
}

/**
 * findSessionWithCart as its two steps through `store`'s own methods: for a store without a fused form, and for a
 * decorator that changes either step.
 */
export async function findSessionThenCart(
  store: Store,
  secret: string,
  now: number,
  touchWindowMs: number,
  newCartId: string,
): Promise<SessionWithCart | null> {
  const session = await store.findSessionBySecretAndTouch(secret, now, touchWindowMs);
  if (!session) return null;
  const cart = isSessionLive(session, now) ? await store.getOrCreateCart(cartOwnerOf(session), newCartId) : null;
  return { session, cart };
}

/** The cart a session reaches: its own while it is a guest's, its user's once signed in. */
export function cartOwnerOf(session: SessionRecord): CartOwner {
  return session.userId === null ? `guest:${session.id}` : `user:${session.userId}`;
}

export function cartOwnerKind(owner: CartOwner): Cart['owner'] {
  return owner.startsWith('guest:') ? 'guest' : 'user';
}

/** The session a guest cart belongs to; null for a user cart. */
export function guestSessionOf(owner: CartOwner): string | null {
  return owner.startsWith('guest:') ? owner.slice('guest:'.length) : null;
}

/** The merge rule for one SKU, shared by every store so they cannot disagree. */
export function mergeQuantity(
  strategy: MergeStrategy,
  userQuantity: number | undefined,
  guestQuantity: number,
  maxLineQuantity: number,
): number {
  if (userQuantity === undefined) return Math.min(guestQuantity, maxLineQuantity);
  switch (strategy) {
    case 'sum':
      return Math.min(userQuantity + guestQuantity, maxLineQuantity);
    case 'max':
      return Math.max(userQuantity, guestQuantity);
    case 'replace':
      return guestQuantity;
    case 'keep-user':
      return userQuantity;
  }
}

export function sortLines(lines: Iterable<CartLine>): CartLine[] {
  return [...lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}
