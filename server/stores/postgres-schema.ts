import type { Pool } from 'pg';
import { withClient } from './postgres-pool.ts';

/** Table names qualified with the store's schema, so every statement works whatever the connection's search_path. */
export interface Tables {
  schema: string;
  migrations: string;
  users: string;
  sessions: string;
  refreshFamilies: string;
  carts: string;
  wishlistItems: string;
  orders: string;
  counters: string;
}

const schemaNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;

export function tablesIn(schema: string): Tables {
  if (!schemaNamePattern.test(schema)) {
    throw new Error(`PostgreSQL schema "${schema}" must match ${schemaNamePattern} (lower-case letters, digits, _)`);
  }
  const table = (name: string) => `"${schema}"."${name}"`;
  return {
    schema: `"${schema}"`,
    migrations: table('schema_migrations'),
    users: table('users'),
    sessions: table('sessions'),
    refreshFamilies: table('refresh_families'),
    carts: table('carts'),
    wishlistItems: table('wishlist_items'),
    orders: table('orders'),
    counters: table('counters'),
  };
}

interface Migration {
  version: number;
  name: string;
  sql(t: Tables): string;
}

/**
 * Ordered and append-only: a released migration never changes, a new one gets the next version. Times are epoch
 * milliseconds on the server's clock (bigint), as everywhere in the store interface.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, carts, orders, refresh families',
    sql: (t) => `
      CREATE TABLE ${t.users} (
        id text PRIMARY KEY,
        email text NOT NULL UNIQUE,
        password_hash text NOT NULL
      );

      -- The cookie secret is stored only as its SHA-256, so a dump of this table holds no usable cookie.
      -- expires_at is what the sweeper scans, kept in step with every touch by being generated.
      CREATE TABLE ${t.sessions} (
        id text PRIMARY KEY,
        secret_hash text NOT NULL UNIQUE,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        user_id text,
        csrf_token text NOT NULL,
        created_at bigint NOT NULL,
        last_seen_at bigint NOT NULL,
        idle_timeout_ms bigint NOT NULL,
        absolute_expires_at bigint,
        expires_at bigint GENERATED ALWAYS AS (LEAST(last_seen_at + idle_timeout_ms, absolute_expires_at)) STORED
      );
      CREATE INDEX sessions_expires_at ON ${t.sessions} (expires_at);
      CREATE INDEX sessions_user_id ON ${t.sessions} (user_id, seq) WHERE user_id IS NOT NULL;

      CREATE TABLE ${t.refreshFamilies} (
        id text PRIMARY KEY,
        session_id text NOT NULL,
        user_id text NOT NULL,
        generation integer NOT NULL,
        rotated_at bigint NOT NULL
      );
      CREATE INDEX refresh_families_session_id ON ${t.refreshFamilies} (session_id);

      -- One row per cart, its lines a {sku: quantity} object, so every cart write is one row upsert.
      CREATE TABLE ${t.carts} (
        id text PRIMARY KEY,
        owner text NOT NULL UNIQUE,
        lines jsonb NOT NULL DEFAULT '{}',
        version bigint NOT NULL DEFAULT 0
      );

      CREATE TABLE ${t.wishlistItems} (
        user_id text NOT NULL,
        product_id text NOT NULL,
        added_at bigint NOT NULL,
        PRIMARY KEY (user_id, product_id)
      );

      CREATE TABLE ${t.orders} (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        user_id text NOT NULL,
        items jsonb NOT NULL,
        created_at bigint NOT NULL,
        idempotency_key text,
        fingerprint text,
        UNIQUE (user_id, idempotency_key)
      );
      CREATE INDEX orders_user_id ON ${t.orders} (user_id, seq);

      -- Counters are spread over shards so concurrent session writes do not queue on one row.
      CREATE TABLE ${t.counters} (
        name text NOT NULL,
        shard smallint NOT NULL,
        value bigint NOT NULL,
        PRIMARY KEY (name, shard)
      );
    `,
  },
  {
    version: 2,
    name: 'guest carts live and die with their guest session',
    // Inserting a guest cart checks (and, until it commits, holds) its session, so a merge or logout holding that
    // session waits for it or makes it fail; deleting the session deletes the cart, even one whose insert committed
    // while the delete was waiting. Guest carts already orphaned by the race this closes are dropped.
    sql: (t) => `
      DELETE FROM ${t.carts} c
      WHERE c.owner LIKE 'guest:%' AND NOT EXISTS (SELECT 1 FROM ${t.sessions} s WHERE s.id = substr(c.owner, 7));
      ALTER TABLE ${t.carts} ADD COLUMN guest_session_id text
        CONSTRAINT carts_guest_session_fk REFERENCES ${t.sessions} (id) ON DELETE CASCADE;
      UPDATE ${t.carts} SET guest_session_id = substr(owner, 7) WHERE owner LIKE 'guest:%';
      CREATE INDEX carts_guest_session_id ON ${t.carts} (guest_session_id) WHERE guest_session_id IS NOT NULL;
    `,
  },
];

/**
 * Brings the schema up to the latest migration. Instances starting at once serialise on an advisory lock keyed by
 * the schema name, so exactly one applies each migration and the others find it done. Returns the versions this
 * call applied.
 */
export function migrate(pool: Pool, t: Tables): Promise<number[]> {
  const lockKey = `sessionproof.migrate:${t.schema}`;
  return withClient(pool, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${t.schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${t.migrations} (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${t.migrations}`);
      const done = new Set(rows.map((row) => row.version));
      const applied: number[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql(t));
          await client.query(`INSERT INTO ${t.migrations} (version, name) VALUES ($1, $2)`, [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        applied.push(migration.version);
      }
      return applied;
    } finally {
      // If the connection died, the unlock fails too; withClient then destroys it, which releases the lock.
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]);
    }
  });
}
