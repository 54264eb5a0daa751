import { Redis, type RedisOptions } from 'ioredis';
import { GuestSessionEndedError, StoreUnavailableError } from '../errors.ts';
import { scripts, type ScriptName } from './redis-scripts.ts';
import {
  cartOwnerKind,
  cartOwnerOf,
  sessionExpiresAt,
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

export interface RedisStoreOptions {
  /** Every key starts with it; two stores sharing a Redis must not have one prefix start with the other. */
  keyPrefix?: string;
  /** A command without an answer by then fails with StoreUnavailableError (so a request gets 503, not a hang). */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

type Reply = string | number | null | Reply[];
type Flat = string[];

/** Redis replies that mean "not now" rather than "wrong command": the store is unavailable, not broken. */
const unavailableReplies = /^(LOADING|BUSY|MISCONF|READONLY|MASTERDOWN|NOREPLICAS|TRYAGAIN|CLUSTERDOWN)\b/;

/**
 * The Redis store. Every operation that can race is one Lua script (redis-scripts.ts) and so one atomic step on the
 * server. Failing fast is deliberate: no offline queue, commands in flight when the connection drops fail at once
 * and are never resent (their outcome is unknown and an increment could apply twice), and a bounded command timeout
 * covers a Redis that hangs, so while Redis is away requests get 503 promptly and they work again as soon as the
 * client has reconnected.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly #redis: Redis;
  readonly #prefix: string;
  #lastConnectionError: Error | null = null;

  private constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    redis.on('error', (error: Error) => {
      this.#lastConnectionError = error;
    });
    redis.on('ready', () => {
      this.#lastConnectionError = null;
    });
    for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 0, lua });
  }

  /** Connects to `redis://[user:password@]host:port[/db]`; throws StoreUnavailableError if Redis does not answer. */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const redisOptions: RedisOptions = {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    };
    const redis = new Redis(url, redisOptions);
    const store = new RedisStore(redis, options.keyPrefix ?? 'sp:');
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new StoreUnavailableError(error);
    }
    return store;
  }

  get keyPrefix(): string {
    return this.#prefix;
  }

  async createUser(user: User): Promise<boolean> {
    return (await this.#script('spCreateUser', user.id, user.email, user.passwordHash)) === 1;
  }

  async findUserByEmail(email: string): Promise<User | null> {
    const id = await this.#call((redis) => redis.get(this.#key('user-email:', email)));
    return id === null ? null : this.findUser(id);
  }

  async findUser(id: string): Promise<User | null> {
    const hash = await this.#call((redis) => redis.hgetall(this.#key('user:', id)));
    if (hash.id === undefined) return null;
    return { id: hash.id, email: hash.email!, passwordHash: hash.passwordHash! };
  }

  async createSession(secret: string, record: SessionRecord): Promise<void> {
    await this.#script('spCreateSession', secret, record.id, sessionExpiresAt(record), ...sessionFields(record));
  }

  async findSessionBySecret(secret: string): Promise<SessionRecord | null> {
    return toSession(await this.#script('spFindSessionBySecret', secret));
  }

  async findSessionBySecretAndTouch(secret: string, now: number, touchWindowMs: number): Promise<SessionRecord | null> {
    return toSession(await this.#script('spFindSessionBySecretAndTouch', secret, now, touchWindowMs));
  }

  async findSessionWithCart(
    secret: string,
    now: number,
    touchWindowMs: number,
    newCartId: string,
  ): Promise<SessionWithCart | null> {
    const reply = (await this.#script('spFindSessionWithCart', secret, now, touchWindowMs, newCartId)) as
      [Flat, Flat?] | null;
    if (reply === null) return null;
    const session = toSession(reply[0])!;
    return { session, cart: reply[1] ? toCart(cartOwnerOf(session), reply[1]) : null };
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    return toSession(await this.#call((redis) => redis.hgetall(this.#key('session:', id))));
  }

  async replaceSession(secret: string, record: SessionRecord): Promise<boolean> {
    const replaced = await this.#script(
      'spReplaceSession',
      secret,
      record.id,
      sessionExpiresAt(record),
      ...sessionFields(record),
    );
    return replaced === 1;
  }

  async touchSession(id: string, lastSeenAt: number): Promise<boolean> {
    return (await this.#script('spTouchSession', id, lastSeenAt)) === 1;
  }

  async endSession(id: string): Promise<boolean> {
    return (await this.#script('spEndSession', id)) === 1;
  }

  async endUserSessions(userId: string): Promise<number> {
    return Number(await this.#script('spEndUserSessions', userId));
  }

  async listUserSessions(userId: string): Promise<SessionRecord[]> {
    const sessions = (await this.#script('spListUserSessions', userId)) as Flat[];
    return sessions
      .map((flat) => toSession(flat)!)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async sessionStats(now: number): Promise<SessionStats> {
    const [indexed, due, created, ended, swept] = ((await this.#script('spSessionStats', now)) as Reply[]).map(Number);
    return {
      live: indexed! - due!,
      expiredAwaitingSweep: due!,
      created: created!,
      ended: ended!,
      swept: swept!,
    };
  }

  async sweep(now: number, limit: number): Promise<SweepResult> {
    const reply = (await this.#script('spSweep', now, limit)) as number[];
    const [sessions, carts, refreshFamilies, workMicros] = reply.map(Number);
    return { sessions: sessions!, carts: carts!, refreshFamilies: refreshFamilies!, workMs: workMicros! / 1000 };
  }

  async getOrCreateCart(owner: CartOwner, newCartId: string): Promise<Cart> {
    return toCart(owner, (await this.#script('spGetOrCreateCart', owner, newCartId)) as Flat);
  }

  async addToCart(owner: CartOwner, newCartId: string, line: CartLine, maxLineQuantity: number): Promise<Cart | null> {
    const flat = await this.#script('spAddToCart', owner, newCartId, line.sku, line.quantity, maxLineQuantity);
    return flat === null ? null : toCart(owner, flat as Flat);
  }

  async setCartLine(owner: CartOwner, newCartId: string, line: CartLine): Promise<Cart> {
    return toCart(owner, (await this.#script('spSetCartLine', owner, newCartId, line.sku, line.quantity)) as Flat);
  }

  async removeCartLine(owner: CartOwner, newCartId: string, sku: string): Promise<Cart> {
    return toCart(owner, (await this.#script('spRemoveCartLine', owner, newCartId, sku)) as Flat);
  }

  async mergeCarts(
    guest: CartOwner,
    user: CartOwner,
    newCartId: string,
    strategy: MergeStrategy,
    maxLineQuantity: number,
  ): Promise<Cart> {
    const flat = await this.#script('spMergeCarts', guest, user, newCartId, strategy, maxLineQuantity);
    return toCart(user, flat as Flat);
  }

  async getWishlist(userId: string): Promise<WishlistItem[]> {
    return toWishlist(await this.#call((redis) => redis.hgetall(this.#key('wishlist:', userId))));
  }

  async addWishlistItem(userId: string, item: WishlistItem): Promise<WishlistItem[]> {
    const key = this.#key('wishlist:', userId);
    return this.#wishlistAfter((redis) => redis.multi().hsetnx(key, item.productId, item.addedAt).hgetall(key).exec());
  }

  async removeWishlistItem(userId: string, productId: string): Promise<WishlistItem[]> {
    const key = this.#key('wishlist:', userId);
    return this.#wishlistAfter((redis) => redis.multi().hdel(key, productId).hgetall(key).exec());
  }

  /** Runs a MULTI whose last reply is the wishlist hash. */
  async #wishlistAfter(
    transaction: (redis: Redis) => Promise<[Error | null, unknown][] | null>,
  ): Promise<WishlistItem[]> {
    const replies = await this.#call(transaction);
    const [error, hash] = replies!.at(-1)!;
    if (error) throw error;
    return toWishlist(hash as Record<string, string>);
  }

  async checkout(request: CheckoutRequest): Promise<CheckoutResult> {
    const [kind, orderJson] = (await this.#script(
      'spCheckout',
      request.owner,
      request.userId,
      request.orderId,
      request.now,
      request.idempotencyKey === null ? '0' : '1',
      request.idempotencyKey ?? '',
      request.fingerprint,
    )) as [string, string?];
    if (kind === 'created' || kind === 'replayed') return { kind, order: toOrder(orderJson!) };
    if (kind === 'empty' || kind === 'conflict') return { kind };
    throw new Error(`unexpected checkout reply ${kind}`);
  }

  async listOrders(userId: string): Promise<Order[]> {
    const orders = await this.#call((redis) => redis.lrange(this.#key('orders:', userId), 0, -1));
    return orders.map(toOrder);
  }

  async createRefreshFamily(family: RefreshFamily): Promise<void> {
    await this.#script(
      'spCreateRefreshFamily',
      family.id,
      family.sessionId,
      family.userId,
      family.generation,
      family.rotatedAt,
    );
  }

  async findRefreshFamily(id: string): Promise<RefreshFamily | null> {
    const hash = await this.#call((redis) => redis.hgetall(this.#key('family:', id)));
    if (hash.id === undefined) return null;
    return {
      id: hash.id,
      sessionId: hash.sessionId!,
      userId: hash.userId!,
      generation: Number(hash.generation),
      rotatedAt: Number(hash.rotatedAt),
    };
  }

  async advanceRefreshFamily(id: string, fromGeneration: number, rotatedAt: number): Promise<boolean> {
    return (await this.#script('spAdvanceRefreshFamily', id, fromGeneration, rotatedAt)) === 1;
  }

  async ping(): Promise<void> {
    await this.#call((redis) => redis.ping());
  }

  /** Deletes this store's keys and nothing else: SCAN for the prefix, UNLINK in batches. */
  async reset(): Promise<void> {
    const pattern = `${this.#prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    await this.#call(async (redis) => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    });
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }

  #key(kind: string, id: string): string {
    return `${this.#prefix}${kind}${id}`;
  }

  #script(name: ScriptName, ...args: (string | number)[]): Promise<Reply> {
    const run = (this.#redis as unknown as Record<ScriptName, (...a: string[]) => Promise<Reply>>)[name];
    return this.#call((redis) => run.call(redis, this.#prefix, ...args.map(String)));
  }

  async #call<T>(command: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await command(this.#redis);
    } catch (error) {
      throw this.#classify(error);
    }
  }

  #classify(error: unknown): unknown {
    if (!(error instanceof Error)) return error;
    const isReply = error.name === 'ReplyError';
    const guestSessionEnded = isReply ? /^GUEST_SESSION_ENDED (\S+)/.exec(error.message) : null;
    if (guestSessionEnded) return new GuestSessionEndedError(guestSessionEnded[1]!);
    if (isReply && !unavailableReplies.test(error.message)) return error;
    const connection = this.#lastConnectionError;
    return new StoreUnavailableError(
      connection && !isReply ? new Error(`${error.message} (${connection.message})`) : error,
    );
  }
}

const sessionRecordFields = [
  'id',
  'userId',
  'csrfToken',
  'createdAt',
  'lastSeenAt',
  'idleTimeoutMs',
  'absoluteExpiresAt',
] as const;

/** The record's fields as HSET pairs; nulls are left out and read back as null. */
function sessionFields(record: SessionRecord): string[] {
  const pairs: string[] = [];
  for (const field of sessionRecordFields) if (record[field] !== null) pairs.push(field, String(record[field]));
  return pairs;
}

function toHash(flat: Flat): Record<string, string> {
  const hash = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

function toSession(reply: Reply | Record<string, string>): SessionRecord | null {
  if (reply === null) return null;
  const hash = Array.isArray(reply) ? toHash(reply as Flat) : (reply as Record<string, string>);
  if (hash.id === undefined) return null;
  return {
    id: hash.id,
    userId: hash.userId ?? null,
    csrfToken: hash.csrfToken!,
    createdAt: Number(hash.createdAt),
    lastSeenAt: Number(hash.lastSeenAt),
    idleTimeoutMs: Number(hash.idleTimeoutMs),
    absoluteExpiresAt: hash.absoluteExpiresAt === undefined ? null : Number(hash.absoluteExpiresAt),
  };
}

function toCart(owner: CartOwner, flat: Flat): Cart {
  const hash = toHash(flat);
  const lines: CartLine[] = [];
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('line:')) lines.push({ sku: field.slice(5), quantity: Number(value) });
  }
  return { id: hash.id!, owner: cartOwnerKind(owner), items: sortLines(lines), version: Number(hash.version) };
}

function toWishlist(hash: Record<string, string>): WishlistItem[] {
  return Object.entries(hash)
    .map(([productId, addedAt]) => ({ productId, addedAt: Number(addedAt) }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/** Scripts write an order's lines in hash order; every reader sees them sorted by SKU. */
function toOrder(json: string): Order {
  const order = JSON.parse(json) as Order;
  return { id: order.id, items: sortLines(order.items), createdAt: order.createdAt };
}
