import pg from 'pg';
import { GuestSessionEndedError } from '../errors.ts';
import { sha256 } from '../ids.ts';
import { createPool, query, transaction } from './postgres-pool.ts';
import { migrate, tablesIn, type Tables } from './postgres-schema.ts';
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

export interface PostgresStoreOptions {
  /** `postgres://` or `postgresql://`; a `schema` query parameter picks the schema when `schema` is not given. */
  connectionString: string;
  /** The PostgreSQL schema holding this store's tables; created at start. Default `sessionproof`. */
  schema?: string;
  poolSize?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Told when an idle pooled connection dies (a server restart); the next query reports the outage itself. */
  onIdleError?: (error: Error) => void;
}

export const defaultPostgresSchema = 'sessionproof';

/** bigint columns arrive as strings (pg does not guess at precision); every time here fits a double. */
type Bigint = string;

interface SessionRow {
  id: string;
  user_id: string | null;
  csrf_token: string;
  created_at: Bigint;
  last_seen_at: Bigint;
  idle_timeout_ms: Bigint;
  absolute_expires_at: Bigint | null;
}

interface CartRow {
  id: string;
  lines: Record<string, number>;
  version: Bigint;
}

/** A cart's columns beside a session row's, null when the statement reached no cart. */
interface CartColumns {
  cart_id: string | null;
  cart_lines: CartRow['lines'] | null;
  cart_version: Bigint | null;
}

interface OrderRow {
  id: string;
  items: CartLine[];
  created_at: Bigint;
}

interface FamilyRow {
  id: string;
  session_id: string;
  user_id: string;
  generation: number;
  rotated_at: Bigint;
}

const sessionColumns = 'id, user_id, csrf_token, created_at, last_seen_at, idle_timeout_ms, absolute_expires_at';

/** Session counters are spread over this many rows; see the counters table. */
const counterShards = 16;

/** `$1`..`$8` of the session statements: the record's columns, with the secret stored only as its hash. */
function sessionParams(secret: string, record: SessionRecord): unknown[] {
  return [
    record.id,
    sha256(secret),
    record.userId,
    record.csrfToken,
    record.createdAt,
    record.lastSeenAt,
    record.idleTimeoutMs,
    record.absoluteExpiresAt,
  ];
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    idleTimeoutMs: Number(row.idle_timeout_ms),
    absoluteExpiresAt: row.absolute_expires_at === null ? null : Number(row.absolute_expires_at),
  };
}

function toCart(owner: CartOwner, row: CartRow): Cart {
  const items = sortLines(Object.entries(row.lines).map(([sku, quantity]) => ({ sku, quantity })));
  return { id: row.id, owner: cartOwnerKind(owner), items, version: Number(row.version) };
}

function toOrder(row: OrderRow): Order {
  return { id: row.id, items: row.items, createdAt: Number(row.created_at) };
}

function toFamily(row: FamilyRow): RefreshFamily {
  return {
    id: row.id,
    sessionId: row.session_id,
    userId: row.user_id,
    generation: row.generation,
    rotatedAt: Number(row.rotated_at),
  };
}

/** An insert of a guest cart whose guest session is no longer there. */
function isGuestSessionGone(error: unknown): boolean {
  return error instanceof pg.DatabaseError && error.constraint === 'carts_guest_session_fk';
}

function randomShard(): number {
  return Math.floor(Math.random() * counterShards);
}

/**
 * The store on PostgreSQL. Every operation that can race is one statement (an upsert on a unique key, a
 * conditional UPDATE, a DELETE with its dependants in data-modifying CTEs) or one short transaction holding row
 * locks (merge, checkout). Connection failures and timeouts surface as `StoreUnavailableError`.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #t: Tables;

  private constructor(pool: pg.Pool, schema: string, tables: Tables) {
    this.#pool = pool;
    this.schema = schema;
    this.#t = tables;
  }

  /** Connects and migrates the schema (idempotent, safe when several instances start at once). */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const url = new URL(options.connectionString);
    const schema = options.schema ?? url.searchParams.get('schema') ?? defaultPostgresSchema;
    url.searchParams.delete('schema');
    const tables = tablesIn(schema);
    const pool = createPool({
      connectionString: url.toString(),
      poolSize: options.poolSize ?? 20,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      statementTimeoutMs: options.statementTimeoutMs ?? 5000,
      onIdleError: options.onIdleError ?? (() => undefined),
    });
    try {
      await migrate(pool, tables);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool, schema, tables);
  }

  /** A counter bump as a CTE over the rows of `source`, so a counter moves in the same statement as its cause. */
  #bump(counter: 'created' | 'ended' | 'swept', source: string, shardParam: string): string {
    return `INSERT INTO ${this.#t.counters} AS k (name, shard, value)
            SELECT '${counter}', ${shardParam}, count(*) FROM ${source} HAVING count(*) > 0
            ON CONFLICT (name, shard) DO UPDATE SET value = k.value + excluded.value`;
  }

  async createUser(user: User): Promise<boolean> {
    const result = await query(
      this.#pool,
      `INSERT INTO ${this.#t.users} (id, email, password_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [user.id, user.email, user.passwordHash],
    );
    return result.rowCount === 1;
  }

  async findUserByEmail(email: string): Promise<User | null> {
    return this.#user('email', email);
  }

  async findUser(id: string): Promise<User | null> {
    return this.#user('id', id);
  }

  async #user(column: 'id' | 'email', value: string): Promise<User | null> {
    const { rows } = await query<{ id: string; email: string; password_hash: string }>(
      this.#pool,
      `SELECT id, email, password_hash FROM ${this.#t.users} WHERE ${column} = $1`,
      [value],
    );
    const row = rows[0];
    return row ? { id: row.id, email: row.email, passwordHash: row.password_hash } : null;
  }

  async createSession(secret: string, record: SessionRecord): Promise<void> {
    await query(
      this.#pool,
      `WITH created AS (
         INSERT INTO ${this.#t.sessions}
           (id, secret_hash, user_id, csrf_token, created_at, last_seen_at, idle_timeout_ms, absolute_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING 1
       )
       ${this.#bump('created', 'created', '$9')}`,
      [...sessionParams(secret, record), randomShard()],
    );
  }

  async findSessionBySecret(secret: string): Promise<SessionRecord | null> {
    const { rows } = await query<SessionRow>(
      this.#pool,
      `SELECT ${sessionColumns} FROM ${this.#t.sessions} WHERE secret_hash = $1`,
      [sha256(secret)],
    );
    return rows[0] ? toSession(rows[0]) : null;
  }

  async findSessionBySecretAndTouch(secret: string, now: number, touchWindowMs: number): Promise<SessionRecord | null> {
    // One statement: the UPDATE sees a row a concurrent logout deleted as gone, so `touched` is 0 for a session that
    // was due a touch when found but ended meanwhile, and that session is not handed out. With no touch due, the
    // statement only reads: the snapshot it read the session in is its moment.
    const { rows } = await query<SessionRow & { touched: number }>(
      this.#pool,
      `WITH ${this.#findAndTouch()}
       SELECT ${sessionColumns}, (SELECT count(*) FROM touched)::int AS touched FROM found`,
      [sha256(secret), now, touchWindowMs],
    );
    const row = rows[0];
    if (!row) return null;
    const record = toSession(row);
    return isTouchDue(record, now, touchWindowMs) && row.touched === 0 ? null : record;
  }

  /**
   * CTEs `found` (the session under secret `$1`, with its `expires_at`) and `touched` (its id, if a touch was due at
   * `$2` with window `$3` (isTouchDue) and it was still there to be touched to `$2`).
   */
  #findAndTouch(): string {
    return `found AS (
              SELECT ${sessionColumns}, expires_at FROM ${this.#t.sessions} WHERE secret_hash = $1
            ),
            touched AS (
              UPDATE ${this.#t.sessions} s SET last_seen_at = GREATEST(s.last_seen_at, $2)
              FROM found
              WHERE s.id = found.id AND found.expires_at > $2 AND found.last_seen_at < $2::bigint - $3::bigint
              RETURNING s.id
            )`;
  }

  async findSessionWithCart(
    secret: string,
    now: number,
    touchWindowMs: number,
    newCartId: string,
  ): Promise<SessionWithCart | null> {
    // findSessionBySecretAndTouch's statement, with the cart the session reaches found or created in it too. The rare
    // creator that loses a race for the cart sees neither cart in its snapshot and gets it in a second statement; a
    // guest session that ended while this ran fails the insert's foreign key check, and so is gone as well.
    let rows: (SessionRow & CartColumns & { touched: number })[];
    try {
      ({ rows } = await query<SessionRow & CartColumns & { touched: number }>(
        this.#pool,
        `WITH ${this.#findAndTouch()},
         reach AS (
           SELECT CASE WHEN user_id IS NULL THEN 'guest:' || id ELSE 'user:' || user_id END AS owner,
                  CASE WHEN user_id IS NULL THEN id END AS guest_session_id
           FROM found WHERE expires_at > $2
         ), cart AS (
           SELECT c.id, c.lines, c.version FROM ${this.#t.carts} c JOIN reach ON c.owner = reach.owner
         ), created AS (
           INSERT INTO ${this.#t.carts} (id, owner, guest_session_id)
           SELECT $4, owner, guest_session_id FROM reach WHERE NOT EXISTS (SELECT 1 FROM cart)
           ON CONFLICT (owner) DO NOTHING
           RETURNING id, lines, version
         ), reached (cart_id, cart_lines, cart_version) AS (SELECT * FROM cart UNION ALL SELECT * FROM created)
         SELECT ${sessionColumns}, (SELECT count(*) FROM touched)::int AS touched, cart_id, cart_lines, cart_version
         FROM found LEFT JOIN reached ON true`,
        [sha256(secret), now, touchWindowMs, newCartId],
      ));
    } catch (error) {
      if (isGuestSessionGone(error)) return null;
      throw error;
    }
    const row = rows[0];
    if (!row) return null;
    const session = toSession(row);
    if (!isSessionLive(session, now)) return { session, cart: null };
    if (isTouchDue(session, now, touchWindowMs) && row.touched === 0) return null;
    const owner = cartOwnerOf(session);
    const cart =
      row.cart_id === null
        ? await this.getOrCreateCart(owner, newCartId)
        : toCart(owner, { id: row.cart_id, lines: row.cart_lines!, version: row.cart_version! });
    return { session, cart };
  }

  async findSession(id: string): Promise<SessionRecord | null> {
    const { rows } = await query<SessionRow>(
      this.#pool,
      `SELECT ${sessionColumns} FROM ${this.#t.sessions} WHERE id = $1`,
      [id],
    );
    return rows[0] ? toSession(rows[0]) : null;
  }

  async replaceSession(secret: string, record: SessionRecord): Promise<boolean> {
    const result = await query(
      this.#pool,
      `UPDATE ${this.#t.sessions}
       SET user_id = $3, csrf_token = $4, created_at = $5, last_seen_at = $6, idle_timeout_ms = $7,
           absolute_expires_at = $8
       WHERE id = $1 AND secret_hash = $2`,
      sessionParams(secret, record),
    );
    return result.rowCount === 1;
  }

  async touchSession(id: string, lastSeenAt: number): Promise<boolean> {
    // Writes only when time moves forward. An UPDATE that waited behind a sweep or a logout sees the row gone; when
    // it changed nothing, a fresh statement tells a missing session from one already touched at or after this time.
    const moved = await query(
      this.#pool,
      `UPDATE ${this.#t.sessions} SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2`,
      [id, lastSeenAt],
    );
    if (moved.rowCount === 1) return true;
    const { rows } = await query(this.#pool, `SELECT 1 FROM ${this.#t.sessions} WHERE id = $1`, [id]);
    return rows.length === 1;
  }

  async endSession(id: string): Promise<boolean> {
    const { rows } = await query<{ ended: number }>(this.#pool, this.#endSessions('id = $1'), [id, randomShard()]);
    return rows[0]?.ended === 1;
  }

  async endUserSessions(userId: string): Promise<number> {
    const { rows } = await query<{ ended: number }>(this.#pool, this.#endSessions('user_id = $1'), [
      userId,
      randomShard(),
    ]);
    return rows[0]?.ended ?? 0;
  }

  /** Ends the sessions `where` picks (with `$1`), counting them as ended on shard `$2`; returns `ended`. */
  #endSessions(where: string): string {
    return `WITH ${this.#removeSessions(where)},
                 counted AS (${this.#bump('ended', 'removed', '$2')} RETURNING 1)
            SELECT count(*)::int AS ended FROM removed`;
  }

  /**
   * CTEs `removed` (the deleted sessions), `families` and `guest_carts` (what died with them): one statement, so a
   * session never goes without its refresh family and guest cart. `guest_carts` sees the carts of the statement's
   * snapshot; one whose insert committed while this waited for the session row goes by the foreign key's cascade.
   */
  #removeSessions(where: string): string {
    const t = this.#t;
    return `removed AS (DELETE FROM ${t.sessions} WHERE ${where} RETURNING id, user_id),
            families AS (
              DELETE FROM ${t.refreshFamilies} WHERE session_id IN (SELECT id FROM removed) RETURNING 1
            ),
            guest_carts AS (
              DELETE FROM ${t.carts}
              WHERE owner IN (SELECT 'guest:' || id FROM removed WHERE user_id IS NULL)
              RETURNING 1
            )`;
  }

  async listUserSessions(userId: string): Promise<SessionRecord[]> {
    const { rows } = await query<SessionRow>(
      this.#pool,
      `SELECT ${sessionColumns} FROM ${this.#t.sessions} WHERE user_id = $1 ORDER BY seq`,
      [userId],
    );
    return rows.map(toSession);
  }

  async sessionStats(now: number): Promise<SessionStats> {
    const { rows } = await query<Record<'total' | 'expired' | 'created' | 'ended' | 'swept', Bigint>>(
      this.#pool,
      `SELECT (SELECT count(*) FROM ${this.#t.sessions}) AS total,
              (SELECT count(*) FROM ${this.#t.sessions} WHERE expires_at <= $1) AS expired,
              coalesce(sum(value) FILTER (WHERE name = 'created'), 0) AS created,
              coalesce(sum(value) FILTER (WHERE name = 'ended'), 0) AS ended,
              coalesce(sum(value) FILTER (WHERE name = 'swept'), 0) AS swept
       FROM ${this.#t.counters}`,
      [now],
    );
    const row = rows[0]!;
    const expiredAwaitingSweep = Number(row.expired);
    return {
      live: Number(row.total) - expiredAwaitingSweep,
      expiredAwaitingSweep,
      created: Number(row.created),
      ended: Number(row.ended),
      swept: Number(row.swept),
    };
  }

  async sweep(now: number, limit: number): Promise<SweepResult> {
    // SKIP LOCKED: a session a request holds right now is left for the next batch instead of making anyone wait.
    const { rows } = await query<Record<'sessions' | 'carts' | 'families' | 'work_ms', number>>(
      this.#pool,
      `WITH due AS (
              SELECT id FROM ${this.#t.sessions} WHERE expires_at <= $1
              ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
            ),
            ${this.#removeSessions('id IN (SELECT id FROM due)')},
            counted AS (${this.#bump('swept', 'removed', '$3')} RETURNING 1)
       SELECT (SELECT count(*)::int FROM removed) AS sessions,
              (SELECT count(*)::int FROM guest_carts) AS carts,
              (SELECT count(*)::int FROM families) AS families,
              -- Last, so the deletes above have run: how long the statement has held its backend.
              (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::float8 AS work_ms`,
      [now, limit, randomShard()],
    );
    const row = rows[0]!;
    return { sessions: row.sessions, carts: row.carts, refreshFamilies: row.families, workMs: row.work_ms };
  }

  async getOrCreateCart(owner: CartOwner, newCartId: string): Promise<Cart> {
    // Reads without writing when the cart exists; ON CONFLICT makes racing creators agree on one cart. A creator
    // that lost the race sees nothing in its own snapshot, so it reads again in a fresh statement.
    for (let attempt = 0; attempt < 3; attempt++) {
      const { rows } = await this.#cartWrite(
        owner,
        `WITH found AS (SELECT id, lines, version FROM ${this.#t.carts} WHERE owner = $2),
              created AS (
                INSERT INTO ${this.#t.carts} (id, owner, guest_session_id)
                SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM found)
                ON CONFLICT (owner) DO NOTHING
                RETURNING id, lines, version
              )
         SELECT * FROM found UNION ALL SELECT * FROM created`,
        [newCartId, owner],
      );
      if (rows[0]) return toCart(owner, rows[0]);
    }
    throw new Error(`cart of ${owner} kept vanishing while being created`);
  }

  async addToCart(owner: CartOwner, newCartId: string, line: CartLine, maxLineQuantity: number): Promise<Cart | null> {
    // The cap is part of the upsert: past it, an existing cart is not updated (no row comes back) and a missing one
    // is created empty at version 0, like a get-or-create; an accepted add always leaves version >= 1.
    const { rows } = await this.#cartWrite(
      owner,
      `INSERT INTO ${this.#t.carts} AS c (id, owner, guest_session_id, lines, version)
       SELECT $1, $2, $6, jsonb_build_object($3::text, $4::bigint), 1 WHERE $4::bigint <= $5::bigint
       UNION ALL
       SELECT $1, $2, $6, '{}', 0 WHERE $4::bigint > $5::bigint
       ON CONFLICT (owner) DO UPDATE
         SET lines = jsonb_set(
               c.lines, ARRAY[$3::text], to_jsonb(coalesce((c.lines ->> $3::text)::bigint, 0) + $4::bigint)
             ),
             version = c.version + 1
         WHERE coalesce((c.lines ->> $3::text)::bigint, 0) + $4::bigint <= $5::bigint
       RETURNING id, lines, version`,
      [newCartId, owner, line.sku, line.quantity, maxLineQuantity],
    );
    const row = rows[0];
    return row && Number(row.version) > 0 ? toCart(owner, row) : null;
  }

  async setCartLine(owner: CartOwner, newCartId: string, line: CartLine): Promise<Cart> {
    const { rows } = await this.#cartWrite(
      owner,
      `INSERT INTO ${this.#t.carts} AS c (id, owner, lines, version, guest_session_id)
       VALUES ($1, $2, CASE WHEN $4::bigint = 0 THEN '{}'::jsonb ELSE jsonb_build_object($3::text, $4::bigint) END, 1, $5)
       ON CONFLICT (owner) DO UPDATE
         SET lines = CASE WHEN $4::bigint = 0 THEN c.lines - $3::text
                          ELSE jsonb_set(c.lines, ARRAY[$3::text], to_jsonb($4::bigint)) END,
             version = c.version + 1
       RETURNING id, lines, version`,
      [newCartId, owner, line.sku, line.quantity],
    );
    return toCart(owner, rows[0]!);
  }

  async removeCartLine(owner: CartOwner, newCartId: string, sku: string): Promise<Cart> {
    const { rows } = await this.#cartWrite(
      owner,
      `INSERT INTO ${this.#t.carts} AS c (id, owner, lines, version, guest_session_id) VALUES ($1, $2, '{}', 1, $4)
       ON CONFLICT (owner) DO UPDATE SET lines = c.lines - $3::text, version = c.version + 1
       RETURNING id, lines, version`,
      [newCartId, owner, sku],
    );
    return toCart(owner, rows[0]!);
  }

  async mergeCarts(
    guest: CartOwner,
    user: CartOwner,
    newCartId: string,
    strategy: MergeStrategy,
    maxLineQuantity: number,
  ): Promise<Cart> {
    // Locks in a fixed order (guest session, guest cart by deleting it, user cart), so merges cannot deadlock. The
    // guest session comes first because a guest-cart insert holds it until it commits: the cart read after it sees
    // every acknowledged write, and a later insert fails its foreign key check once the session is deleted here.
    const guestSession = guestSessionOf(guest);
    return transaction(this.#pool, async (client) => {
      await client.query(`SELECT 1 FROM ${this.#t.sessions} WHERE id = $1 FOR UPDATE`, [guestSession]);
      const deleted = await client.query<Pick<CartRow, 'lines'>>(
        `DELETE FROM ${this.#t.carts} WHERE owner = $1 RETURNING lines`,
        [guest],
      );
      let target = await this.#lockCart(client, user, newCartId);
      const guestLines = Object.entries(deleted.rows[0]?.lines ?? {});
      if (guestLines.length > 0) {
        const lines = { ...target.lines };
        for (const [sku, quantity] of guestLines) {
          lines[sku] = mergeQuantity(strategy, target.lines[sku], quantity, maxLineQuantity);
        }
        const { rows } = await client.query<CartRow>(
          `UPDATE ${this.#t.carts} SET lines = $2, version = version + 1 WHERE id = $1 RETURNING id, lines, version`,
          [target.id, lines],
        );
        target = rows[0]!;
      }
      await client.query(this.#endSessions('id = $1'), [guestSession, randomShard()]);
      return toCart(user, target);
    });
  }

  /**
   * Runs a cart statement whose parameters are `values` and then the guest session of `owner` (null for a user
   * cart), which a created guest cart references: if that session is gone, the insert fails its foreign key check.
   */
  async #cartWrite(owner: CartOwner, text: string, values: unknown[]): Promise<pg.QueryResult<CartRow>> {
    const guestSession = guestSessionOf(owner);
    try {
      return await query<CartRow>(this.#pool, text, [...values, guestSession]);
    } catch (error) {
      throw isGuestSessionGone(error) ? new GuestSessionEndedError(guestSession!) : error;
    }
  }

  /** The owner's cart, created if missing, row-locked until the transaction ends. */
  async #lockCart(client: pg.PoolClient, owner: CartOwner, newCartId: string): Promise<CartRow> {
    const { rows } = await client.query<CartRow>(
      `INSERT INTO ${this.#t.carts} AS c (id, owner) VALUES ($1, $2)
       ON CONFLICT (owner) DO UPDATE SET version = c.version
       RETURNING id, lines, version`,
      [newCartId, owner],
    );
    return rows[0]!;
  }

  async getWishlist(userId: string): Promise<WishlistItem[]> {
    return this.#wishlist(userId);
  }

  async addWishlistItem(userId: string, item: WishlistItem): Promise<WishlistItem[]> {
    await query(
      this.#pool,
      `INSERT INTO ${this.#t.wishlistItems} (user_id, product_id, added_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [userId, item.productId, item.addedAt],
    );
    return this.#wishlist(userId);
  }

  async removeWishlistItem(userId: string, productId: string): Promise<WishlistItem[]> {
    await query(this.#pool, `DELETE FROM ${this.#t.wishlistItems} WHERE user_id = $1 AND product_id = $2`, [
      userId,
      productId,
    ]);
    return this.#wishlist(userId);
  }

  async #wishlist(userId: string): Promise<WishlistItem[]> {
    const { rows } = await query<{ product_id: string; added_at: Bigint }>(
      this.#pool,
      `SELECT product_id, added_at FROM ${this.#t.wishlistItems} WHERE user_id = $1`,
      [userId],
    );
    // Sorted here, not by the database's collation, so the order is the same as every other store's.
    return rows
      .map((row) => ({ productId: row.product_id, addedAt: Number(row.added_at) }))
      .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  }

  async checkout(request: CheckoutRequest): Promise<CheckoutResult> {
    // The cart row lock serialises checkouts of one user, so the idempotency lookup after it sees any order a
    // racing checkout with the same key committed; the unique (user_id, idempotency_key) constraint backs that up.
    return transaction(this.#pool, async (client): Promise<CheckoutResult> => {
      const cart = await client.query<Pick<CartRow, 'id' | 'lines'>>(
        `SELECT id, lines FROM ${this.#t.carts} WHERE owner = $1 FOR UPDATE`,
        [request.owner],
      );
      if (request.idempotencyKey !== null) {
        const earlier = await client.query<OrderRow & { fingerprint: string }>(
          `SELECT id, items, created_at, fingerprint FROM ${this.#t.orders}
           WHERE user_id = $1 AND idempotency_key = $2`,
          [request.userId, request.idempotencyKey],
        );
        const first = earlier.rows[0];
        if (first) {
          return first.fingerprint === request.fingerprint
            ? { kind: 'replayed', order: toOrder(first) }
            : { kind: 'conflict' };
        }
      }
      const row = cart.rows[0];
      const items = row ? sortLines(Object.entries(row.lines).map(([sku, quantity]) => ({ sku, quantity }))) : [];
      if (!row || items.length === 0) return { kind: 'empty' };
      const order: Order = { id: request.orderId, items, createdAt: request.now };
      await client.query(
        `WITH emptied AS (
           UPDATE ${this.#t.carts} SET lines = '{}', version = version + 1 WHERE id = $7 RETURNING 1
         )
         INSERT INTO ${this.#t.orders} (id, user_id, items, created_at, idempotency_key, fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          order.id,
          request.userId,
          JSON.stringify(order.items),
          order.createdAt,
          request.idempotencyKey,
          request.idempotencyKey === null ? null : request.fingerprint,
          row.id,
        ],
      );
      return { kind: 'created', order };
    });
  }

  async listOrders(userId: string): Promise<Order[]> {
    const { rows } = await query<OrderRow>(
      this.#pool,
      `SELECT id, items, created_at FROM ${this.#t.orders} WHERE user_id = $1 ORDER BY seq`,
      [userId],
    );
    return rows.map(toOrder);
  }

  async createRefreshFamily(family: RefreshFamily): Promise<void> {
    await query(
      this.#pool,
      `INSERT INTO ${this.#t.refreshFamilies} (id, session_id, user_id, generation, rotated_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [family.id, family.sessionId, family.userId, family.generation, family.rotatedAt],
    );
  }

  async findRefreshFamily(id: string): Promise<RefreshFamily | null> {
    const { rows } = await query<FamilyRow>(
      this.#pool,
      `SELECT id, session_id, user_id, generation, rotated_at FROM ${this.#t.refreshFamilies} WHERE id = $1`,
      [id],
    );
    return rows[0] ? toFamily(rows[0]) : null;
  }

  async advanceRefreshFamily(id: string, fromGeneration: number, rotatedAt: number): Promise<boolean> {
    const result = await query(
      this.#pool,
      `UPDATE ${this.#t.refreshFamilies} SET generation = generation + 1, rotated_at = $3
       WHERE id = $1 AND generation = $2`,
      [id, fromGeneration, rotatedAt],
    );
    return result.rowCount === 1;
  }

  async ping(): Promise<void> {
    await query(this.#pool, 'SELECT 1');
  }

  async reset(): Promise<void> {
    const t = this.#t;
    await query(
      this.#pool,
      `TRUNCATE ${t.users}, ${t.sessions}, ${t.refreshFamilies}, ${t.carts}, ${t.wishlistItems}, ${t.orders},
                ${t.counters} RESTART IDENTITY`,
    );
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
