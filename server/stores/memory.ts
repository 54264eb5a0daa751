import { GuestSessionEndedError } from '../errors.ts';
import { SessionTable } from './session-table.ts';
import {
  cartOwnerKind,
  cartOwnerOf,
  guestSessionOf,
  isSessionLive,
  isTouchDue,
  mergeQuantity,
  sortLines,
  type Cart,
  type CartLine,
  type CartOwner,
  type CheckoutRequest,
  type CheckoutResult,
  type MergeStrategy,
  type Order,
  type RefreshFamily,
  type SessionRecord,
  type SessionStats,
  type SessionWithCart,
  type Store,
  type SweepResult,
  type User,
  type WishlistItem,
} from './store.ts';

/** What #endDependents reports ended with the session. */
const cartEnded = 1;
const familyEnded = 2;

interface CartState {
  id: string;
  lines: Map<string, number>;
  version: number;
}

interface IdempotentOrder {
  fingerprint: string;
  order: Order;
}

/**
 * The embedded default store. Each method runs to completion without awaiting, so on one event loop every
 * operation is atomic, like a Redis script or a SQL statement. Records are copied in and out so a caller can never
 * mutate stored state behind the store's back.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly #users = new Map<string, User>();
  readonly #userIdByEmail = new Map<string, string>();
  readonly #sessions = new SessionTable();
  readonly #sessionIdsByUser = new Map<string, Set<string>>();
  readonly #families = new Map<string, RefreshFamily>();
  readonly #familyIdBySession = new Map<string, string>();
  readonly #carts = new Map<CartOwner, CartState>();
  readonly #wishlists = new Map<string, Map<string, number>>();
  readonly #orders = new Map<string, Order[]>();
  readonly #ordersByIdempotencyKey = new Map<string, IdempotentOrder>();
  #counters = { created: 0, ended: 0, swept: 0 };

  async createUser(user: User): Promise<boolean> {
    if (this.#userIdByEmail.has(user.email)) return false;
    this.#users.set(user.id, { ...user });
    this.#userIdByEmail.set(user.email, user.id);
    return true;
  }

  async findUserByEmail(email: string): Promise<User | null> {
    const id = this.#userIdByEmail.get(email);
    return id === undefined ? null : { ...this.#users.get(id)! };
  }

  async findUser(id: string): Promise<User | null> {
    const user = this.#users.get(id);
    return user ? { ...user } : null;
  }

  async createSession(secret: string, record: SessionRecord): Promise<void> {
    const slot = this.#sessions.insert(secret, record);
    // A family created before its session (the contract allows it) still ends with it.
    if (this.#familyIdBySession.size > 0 && this.#familyIdBySession.has(record.id)) this.#sessions.markFamily(slot);
    if (record.userId !== null) {
      let ids = this.#sessionIdsByUser.get(record.userId);
      if (!ids) this.#sessionIdsByUser.set(record.userId, (ids = new Set()));
      ids.add(record.id);
    }
    this.#counters.created++;
  }

  async findSessionBySecret(secret: string): Promise<SessionRecord | null> {
    const slot = this.#sessions.slotOfSecret(secret);
    return slot === undefined ? null : this.#sessions.record(slot);
  }

  async findSessionBySecretAndTouch(secret: string, now: number, touchWindowMs: number): Promise<SessionRecord | null> {
    return this.#findAndTouch(secret, now, touchWindowMs);
  }

  async findSessionWithCart(
    secret: string,
    now: number,
    touchWindowMs: number,
    newCartId: string,
  ): Promise<SessionWithCart | null> {
    const session = this.#findAndTouch(secret, now, touchWindowMs);
    if (!session) return null;
    if (!isSessionLive(session, now)) return { session, cart: null };
    const owner = cartOwnerOf(session);
    return { session, cart: this.#view(owner, this.#cart(owner, newCartId)) };
  }

  #findAndTouch(secret: string, now: number, touchWindowMs: number): SessionRecord | null {
    const slot = this.#sessions.slotOfSecret(secret);
    if (slot === undefined) return null;
    const found = this.#sessions.record(slot);
    if (isTouchDue(found, now, touchWindowMs)) this.#sessions.touch(slot, now);
    return found;
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const slot = this.#sessions.slotOf(id);
    return slot === undefined ? null : this.#sessions.record(slot);
  }

  async replaceSession(secret: string, record: SessionRecord): Promise<boolean> {
    const slot = this.#sessions.slotOfSecret(secret);
    if (slot === undefined || this.#sessions.idOf(slot) !== record.id) return false;
    this.#sessions.replace(slot, record);
    return true;
  }

  async touchSession(id: string, lastSeenAt: number): Promise<boolean> {
    const slot = this.#sessions.slotOf(id);
    if (slot === undefined) return false;
    if (lastSeenAt > this.#sessions.lastSeenAtOf(slot)) this.#sessions.touch(slot, lastSeenAt);
    return true;
  }

  async endSession(id: string): Promise<boolean> {
    const slot = this.#sessions.slotOf(id);
    if (slot === undefined) return false;
    this.#removeSession(slot);
    this.#counters.ended++;
    return true;
  }

  async endUserSessions(userId: string): Promise<number> {
    const slots = this.#userSlots(userId);
    for (const slot of slots) this.#removeSession(slot);
    this.#counters.ended += slots.length;
    return slots.length;
  }

  async listUserSessions(userId: string): Promise<SessionRecord[]> {
    return this.#userSlots(userId).map((slot) => this.#sessions.record(slot));
  }

  /** The user's sessions as indexed, skipping any the index outlived (a record replaced under another user). */
  #userSlots(userId: string): number[] {
    const slots: number[] = [];
    for (const id of this.#sessionIdsByUser.get(userId) ?? []) {
      const slot = this.#sessions.slotOf(id);
      if (slot !== undefined) slots.push(slot);
    }
    return slots;
  }

  async sessionStats(now: number): Promise<SessionStats> {
    const expiredAwaitingSweep = this.#sessions.countDue(now);
    return { live: this.#sessions.size - expiredAwaitingSweep, expiredAwaitingSweep, ...this.#counters };
  }

  async sweep(now: number, limit: number): Promise<SweepResult> {
    const removed: SweepResult = { sessions: 0, carts: 0, refreshFamilies: 0 };
    const due = this.#sessions.takeDue(now, limit);
    for (const slot of due) {
      const ended = this.#endDependents(slot);
      if (ended & cartEnded) removed.carts++;
      if (ended & familyEnded) removed.refreshFamilies++;
    }
    this.#sessions.removeAll(due);
    removed.sessions = due.length;
    this.#counters.swept += removed.sessions;
    return removed;
  }

  /** Removes a session and everything that lives and dies with it; reports what existed (cartEnded, familyEnded). */
  #removeSession(slot: number): number {
    const ended = this.#endDependents(slot);
    this.#sessions.remove(slot);
    return ended;
  }

  /**
   * Ends what lives and dies with a session (its guest cart, its place among its user's sessions, its refresh family)
   * and reports what existed; the caller removes the session itself. A guest session without a cart or a refresh
   * family, the sweep's usual case, touches no Map: its strings are neither hashed nor read.
   */
  #endDependents(slot: number): number {
    const sessions = this.#sessions;
    const userId = sessions.userIdOf(slot);
    const hasCart = sessions.hasGuestCart(slot);
    const mayHaveFamily = sessions.mayHaveFamily(slot);
    let ended = 0;
    if (hasCart || mayHaveFamily || userId !== null) {
      const id = sessions.idOf(slot);
      if (hasCart && this.#carts.delete(`guest:${id}`)) ended |= cartEnded;
      if (userId !== null) {
        const ids = this.#sessionIdsByUser.get(userId);
        ids?.delete(id);
        if (ids?.size === 0) this.#sessionIdsByUser.delete(userId);
      }
      const familyId = mayHaveFamily ? this.#familyIdBySession.get(id) : undefined;
      if (familyId !== undefined) {
        this.#families.delete(familyId);
        this.#familyIdBySession.delete(id);
        ended |= familyEnded;
      }
    }
    return ended;
  }

  async getOrCreateCart(owner: CartOwner, newCartId: string): Promise<Cart> {
    return this.#view(owner, this.#cart(owner, newCartId));
  }

  async addToCart(owner: CartOwner, newCartId: string, line: CartLine, maxLineQuantity: number): Promise<Cart | null> {
    const cart = this.#cart(owner, newCartId);
    const quantity = (cart.lines.get(line.sku) ?? 0) + line.quantity;
    if (quantity > maxLineQuantity) return null;
    cart.lines.set(line.sku, quantity);
    cart.version++;
    return this.#view(owner, cart);
  }

  async setCartLine(owner: CartOwner, newCartId: string, line: CartLine): Promise<Cart> {
    const cart = this.#cart(owner, newCartId);
    if (line.quantity === 0) cart.lines.delete(line.sku);
    else cart.lines.set(line.sku, line.quantity);
    cart.version++;
    return this.#view(owner, cart);
  }

  async removeCartLine(owner: CartOwner, newCartId: string, sku: string): Promise<Cart> {
    const cart = this.#cart(owner, newCartId);
    cart.lines.delete(sku);
    cart.version++;
    return this.#view(owner, cart);
  }

  async mergeCarts(
    guest: CartOwner,
    user: CartOwner,
    newCartId: string,
    strategy: MergeStrategy,
    maxLineQuantity: number,
  ): Promise<Cart> {
    const target = this.#cart(user, newCartId);
    const source = this.#carts.get(guest);
    if (source && source.lines.size > 0) {
      for (const [sku, quantity] of source.lines) {
        target.lines.set(sku, mergeQuantity(strategy, target.lines.get(sku), quantity, maxLineQuantity));
      }
      target.version++;
    }
    this.#carts.delete(guest);
    const guestSession = guestSessionOf(guest);
    const slot = guestSession === null ? undefined : this.#sessions.slotOf(guestSession);
    if (slot !== undefined) {
      this.#removeSession(slot);
      this.#counters.ended++;
    }
    return this.#view(user, target);
  }

  #cart(owner: CartOwner, newCartId: string): CartState {
    let cart = this.#carts.get(owner);
    if (!cart) {
      const guestSession = guestSessionOf(owner);
      if (guestSession !== null) {
        const slot = this.#sessions.slotOf(guestSession);
        if (slot === undefined) throw new GuestSessionEndedError(guestSession);
        this.#sessions.setGuestCart(slot, true);
      }
      this.#carts.set(owner, (cart = { id: newCartId, lines: new Map(), version: 0 }));
    }
    return cart;
  }

  #view(owner: CartOwner, cart: CartState): Cart {
    const items = sortLines([...cart.lines].map(([sku, quantity]) => ({ sku, quantity })));
    return { id: cart.id, owner: cartOwnerKind(owner), items, version: cart.version };
  }

  async getWishlist(userId: string): Promise<WishlistItem[]> {
    return this.#wishlistView(userId);
  }

  async addWishlistItem(userId: string, item: WishlistItem): Promise<WishlistItem[]> {
    let wishlist = this.#wishlists.get(userId);
    if (!wishlist) this.#wishlists.set(userId, (wishlist = new Map()));
    if (!wishlist.has(item.productId)) wishlist.set(item.productId, item.addedAt);
    return this.#wishlistView(userId);
  }

  async removeWishlistItem(userId: string, productId: string): Promise<WishlistItem[]> {
    this.#wishlists.get(userId)?.delete(productId);
    return this.#wishlistView(userId);
  }

  #wishlistView(userId: string): WishlistItem[] {
    return [...(this.#wishlists.get(userId) ?? [])]
      .map(([productId, addedAt]) => ({ productId, addedAt }))
      .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  }

  async checkout(request: CheckoutRequest): Promise<CheckoutResult> {
    const idempotencyKey = request.idempotencyKey === null ? null : `${request.userId}\u0000${request.idempotencyKey}`;
    const earlier = idempotencyKey === null ? undefined : this.#ordersByIdempotencyKey.get(idempotencyKey);
    if (earlier) {
      if (earlier.fingerprint !== request.fingerprint) return { kind: 'conflict' };
      return { kind: 'replayed', order: structuredClone(earlier.order) };
    }
    const cart = this.#carts.get(request.owner);
    if (!cart || cart.lines.size === 0) return { kind: 'empty' };
    const order: Order = {
      id: request.orderId,
      items: this.#view(request.owner, cart).items,
      createdAt: request.now,
    };
    cart.lines.clear();
    cart.version++;
    let orders = this.#orders.get(request.userId);
    if (!orders) this.#orders.set(request.userId, (orders = []));
    orders.push(order);
    if (idempotencyKey !== null) {
      this.#ordersByIdempotencyKey.set(idempotencyKey, { fingerprint: request.fingerprint, order });
    }
    return { kind: 'created', order: structuredClone(order) };
  }

  async listOrders(userId: string): Promise<Order[]> {
    return structuredClone(this.#orders.get(userId) ?? []);
  }

  async createRefreshFamily(family: RefreshFamily): Promise<void> {
    this.#families.set(family.id, { ...family });
    this.#familyIdBySession.set(family.sessionId, family.id);
    const slot = this.#sessions.slotOf(family.sessionId);
    if (slot !== undefined) this.#sessions.markFamily(slot);
  }

  async findRefreshFamily(id: string): Promise<RefreshFamily | null> {
    const family = this.#families.get(id);
    return family ? { ...family } : null;
  }

  async advanceRefreshFamily(id: string, fromGeneration: number, rotatedAt: number): Promise<boolean> {
    const family = this.#families.get(id);
    if (!family || family.generation !== fromGeneration) return false;
    family.generation++;
    family.rotatedAt = rotatedAt;
    return true;
  }

  async ping(): Promise<void> {}

  async reset(): Promise<void> {
    for (const map of [
      this.#users,
      this.#userIdByEmail,
      this.#sessions,
      this.#sessionIdsByUser,
      this.#families,
      this.#familyIdBySession,
      this.#carts,
      this.#wishlists,
      this.#orders,
      this.#ordersByIdempotencyKey,
    ]) {
      map.clear();
    }
    this.#counters = { created: 0, ended: 0, swept: 0 };
  }

  async close(): Promise<void> {}
}
