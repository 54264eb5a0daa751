import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { catalog } from './catalog.ts';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export interface Session {
  id: string;
  csrfToken: string;
  username: string | null;
  createdAt: number;
  lastSeenAt: number;
}

/** SKU to quantity, in the order lines were added. */
export type Cart = Map<string, number>;

export interface Order {
  orderId: string;
  items: Array<{ sku: string; qty: number; unitPrice: number }>;
  total: number;
  createdAt: string;
}

export const maxLineQty = 999;

/** 256 random bits, URL-safe: the id is a bearer secret that travels in the path. */
const newSecret = () => randomBytes(32).toString('base64url');

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Everything lives in Maps in this process. Every method that reads and then writes does so synchronously, with
 * no await in between, so no other request can run in the middle: that is what makes concurrent adds, logins and
 * logouts safe here without locks.
 */
export class Store {
  readonly #users = new Map<string, { salt: Buffer; hash: Buffer }>();
  readonly #sessions = new Map<string, Session>();
  /** Guest carts under `guest:<sessionId>`, signed-in carts under `user:<username>` (shared by their sessions). */
  readonly #carts = new Map<string, Cart>();
  readonly #orders = new Map<string, Order[]>();
  readonly #counters = { created: 0, ended: 0, expired: 0 };

  constructor(readonly idleTimeoutMs: number) {}

  async addUser(username: string, password: string): Promise<boolean> {
    if (this.#users.has(username)) return false;
    const salt = randomBytes(16);
    const hash = await scryptAsync(password, salt, 32);
    // Checked again: a registration of the same name may have finished during the hash.
    if (this.#users.has(username)) return false;
    this.#users.set(username, { salt, hash });
    return true;
  }

  async checkPassword(username: string, password: string): Promise<boolean> {
    const user = this.#users.get(username);
    if (!user) return false;
    return timingSafeEqual(await scryptAsync(password, user.salt, 32), user.hash);
  }

  createSession(username: string | null, now: number): Session {
    const session = { id: newSecret(), csrfToken: newSecret(), username, createdAt: now, lastSeenAt: now };
    this.#sessions.set(session.id, session);
    this.#counters.created++;
    return session;
  }

  /** The live session with this id; undefined when unknown, ended or idle too long. */
  findSession(id: string, now: number): Session | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (this.#isExpired(session, now)) {
      this.#remove(session);
      this.#counters.expired++;
      return undefined;
    }
    return session;
  }

  /** Restarts the session's idle clock. */
  touch(session: Session, now: number): void {
    session.lastSeenAt = now;
  }

  checkCsrf(session: Session, token: string | undefined): boolean {
    return token !== undefined && sameSecret(token, session.csrfToken);
  }

  endSession(session: Session): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#remove(session);
    this.#counters.ended++;
  }

  /** Ends every session of the user; their shared cart stays. */
  endUserSessions(username: string): number {
    let ended = 0;
    for (const session of [...this.#sessions.values()]) {
      if (session.username !== username) continue;
      this.endSession(session);
      ended++;
    }
    return ended;
  }

  /**
   * Login: the path session ends and a new one starts for the user, so the old id (which has travelled in URLs)
   * is worthless afterwards. A guest cart is merged into the user's cart, quantities summed per SKU.
   */
  login(session: Session, username: string, now: number): Session {
    if (session.username === null) {
      const guestCart = this.#carts.get(this.#cartKey(session));
      const userCart = this.#cartFor(`user:${username}`);
      for (const [sku, qty] of guestCart ?? []) userCart.set(sku, Math.min(maxLineQty, (userCart.get(sku) ?? 0) + qty));
    }
    this.endSession(session);
    return this.createSession(username, now);
  }

  cart(session: Session): Cart {
    return this.#carts.get(this.#cartKey(session)) ?? new Map();
  }

  /** Adds to a line; false (and nothing changed) when the line would exceed `maxLineQty`. */
  addItem(session: Session, sku: string, qty: number): boolean {
    const cart = this.#cartFor(this.#cartKey(session));
    const next = (cart.get(sku) ?? 0) + qty;
    if (next > maxLineQty) return false;
    cart.set(sku, next);
    return true;
  }

  /** Sets a line that is in the cart (0 removes it); false when the SKU is not in the cart. */
  setItem(session: Session, sku: string, qty: number): boolean {
    const cart = this.#carts.get(this.#cartKey(session));
    if (!cart?.has(sku)) return false;
    if (qty === 0) cart.delete(sku);
    else cart.set(sku, qty);
    return true;
  }

  removeItem(session: Session, sku: string): void {
    this.#carts.get(this.#cartKey(session))?.delete(sku);
  }

  /** Turns the signed-in user's cart into an order; undefined when the cart is empty. */
  checkout(username: string, now: number): Order | undefined {
    const key = `user:${username}`;
    const cart = this.#carts.get(key);
    if (!cart || cart.size === 0) return undefined;
    const items = [...cart].map(([sku, qty]) => ({ sku, qty, unitPrice: catalog.get(sku) ?? 0 }));
    const order = {
      orderId: randomUUID(),
      items,
      total: items.reduce((sum, item) => sum + item.qty * item.unitPrice, 0),
      createdAt: new Date(now).toISOString(),
    };
    this.#carts.delete(key);
    this.#orders.set(username, [...(this.#orders.get(username) ?? []), order]);
    return order;
  }

  orders(username: string): Order[] {
    return this.#orders.get(username) ?? [];
  }

  /** Removes sessions idle past the timeout; lookups already refuse them, this frees their memory. */
  sweep(now: number): number {
    let swept = 0;
    for (const session of [...this.#sessions.values()]) {
      if (!this.#isExpired(session, now)) continue;
      this.#remove(session);
      swept++;
    }
    this.#counters.expired += swept;
    return swept;
  }

  stats(now: number) {
    let active = 0;
    let authenticated = 0;
    for (const session of this.#sessions.values()) {
      if (this.#isExpired(session, now)) continue;
      active++;
      if (session.username !== null) authenticated++;
    }
    return {
      active,
      authenticated,
      guests: active - authenticated,
      expiredAwaitingSweep: this.#sessions.size - active,
      guestCarts: [...this.#carts.keys()].filter((key) => key.startsWith('guest:')).length,
      ...this.#counters,
    };
  }

  #isExpired(session: Session, now: number): boolean {
    return now - session.lastSeenAt >= this.idleTimeoutMs;
  }

  #remove(session: Session): void {
    this.#sessions.delete(session.id);
    // A guest cart dies with its session; a user's cart outlives any one of their sessions.
    if (session.username === null) this.#carts.delete(this.#cartKey(session));
  }

  #cartKey(session: Session): string {
    return session.username === null ? `guest:${session.id}` : `user:${session.username}`;
  }

  #cartFor(key: string): Cart {
    let cart = this.#carts.get(key);
    if (!cart) this.#carts.set(key, (cart = new Map()));
    return cart;
  }
}
