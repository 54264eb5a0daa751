import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestSessionEndedError, StoreUnavailableError } from '../../server/errors.ts';
import { migrations, tablesIn } from '../../server/stores/postgres-schema.ts';
import { PostgresStore } from '../../server/stores/postgres.ts';
import type { SessionRecord } from '../../server/stores/store.ts';
import { dropSchemas, postgresFixture, testSchemaName } from './postgres-fixture.ts';

/** What only the PostgreSQL store has: migrations, schemas, the sweeper's SQL, error mapping. */
const fixture = await postgresFixture();

function session(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    userId: null,
    csrfToken: `csrf-${id}`,
    createdAt: 0,
    lastSeenAt: 0,
    idleTimeoutMs: 1000,
    absoluteExpiresAt: null,
    ...overrides,
  };
}

describe.skipIf(fixture.url === null)('PostgreSQL store', () => {
  const url = fixture.url!;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await fixture.release();
  });

  async function appliedMigrations(schema: string): Promise<number[]> {
    const { rows } = await admin.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
    return rows.map((row) => row.version);
  }

  describe('schema', () => {
    it('is created at start and migrated once, however many instances start at once', async () => {
      const schema = testSchemaName();
      const stores = await Promise.all([1, 2, 3].map(() => fixture.open({ schema, poolSize: 2 })));
      expect(await appliedMigrations(schema)).toEqual([1, 2]);
      await fixture.open({ schema, poolSize: 1 });
      expect(await appliedMigrations(schema)).toEqual([1, 2]);
      expect(await stores[0]!.createUser({ id: 'u', email: 'u@example.test', passwordHash: 'h' })).toBe(true);
      expect(await stores[2]!.findUser('u')).toMatchObject({ email: 'u@example.test' });
    });

    it('upgrades a version 1 schema: guest carts tied to their sessions, orphans dropped, nothing else touched', async () => {
      const schema = testSchemaName();
      const t = tablesIn(schema);
      await admin.query(`CREATE SCHEMA ${t.schema}`);
      await admin.query(migrations[0]!.sql(t));
      await admin.query(
        `CREATE TABLE ${t.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      await admin.query(`INSERT INTO ${t.migrations} (version, name) VALUES (1, 'v1')`);
      await admin.query(
        `INSERT INTO ${t.sessions} (id, secret_hash, csrf_token, created_at, last_seen_at, idle_timeout_ms) VALUES ('g-live', 'h', 'c', 0, 0, 1000)`,
      );
      await admin.query(
        `INSERT INTO ${t.carts} (id, owner, lines) VALUES ('c-live', 'guest:g-live', '{"A": 1}'), ('c-orphan', 'guest:g-gone', '{"A": 2}'),
           ('c-user', 'user:u', '{"B": 3}')`,
      );

      const store = await fixture.open({ schema });
      expect(await appliedMigrations(schema)).toEqual([1, 2]);
      const { rows } = await admin.query(`SELECT id, guest_session_id FROM ${t.carts} ORDER BY id`);
      expect(rows).toEqual([
        { id: 'c-live', guest_session_id: 'g-live' },
        { id: 'c-user', guest_session_id: null },
      ]);
      expect(await store.endSession('g-live')).toBe(true);
      await expect(store.getOrCreateCart('guest:g-live', 'probe')).rejects.toBeInstanceOf(GuestSessionEndedError);
      expect(await store.getOrCreateCart('user:u', 'probe')).toMatchObject({
        id: 'c-user',
        items: [{ sku: 'B', quantity: 3 }],
      });
    });

    it('takes the schema from the URL when not given', async () => {
      const schema = testSchemaName();
      const withParameter = new URL(url);
      withParameter.searchParams.set('schema', schema);
      const store = await PostgresStore.open({ connectionString: withParameter.toString() });
      try {
        expect(store.schema).toBe(schema);
        expect(await appliedMigrations(schema)).toEqual([1, 2]);
      } finally {
        await store.close();
        await dropSchemas(url, [schema]);
      }
    });

    it('keeps stores in different schemas apart, and reset empties only its own', async () => {
      const [a, b] = await Promise.all([fixture.open(), fixture.open()]);
      await a!.createUser({ id: 'u', email: 'u@example.test', passwordHash: 'a' });
      await b!.createUser({ id: 'u', email: 'u@example.test', passwordHash: 'b' });
      await a!.reset();
      expect(await a!.findUser('u')).toBeNull();
      expect(await b!.findUser('u')).toMatchObject({ passwordHash: 'b' });
    });

    it('refuses a schema name that would need quoting', async () => {
      await expect(fixture.open({ schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(/must match/);
    });

    it('gives the sweeper and the user -> sessions lookup an index', async () => {
      const store = await fixture.open();
      const plans: string[] = [];
      await admin.query('BEGIN');
      try {
        await admin.query('SET LOCAL enable_seqscan = off');
        for (const sql of [
          `SELECT id FROM "${store.schema}".sessions WHERE expires_at <= 1 ORDER BY expires_at LIMIT 10`,
          `SELECT id FROM "${store.schema}".sessions WHERE user_id = 'u' ORDER BY seq`,
        ]) {
          const { rows } = await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`);
          plans.push(rows.map((row) => row['QUERY PLAN']).join('\n'));
        }
      } finally {
        await admin.query('ROLLBACK');
      }
      expect(plans[0]).toMatch(/Index (Only )?Scan using sessions_expires_at/);
      expect(plans[1]).toMatch(/Index (Only )?Scan (using|on) sessions_user_id/);
    });
  });

  describe('sessions and the sweeper', () => {
    let store: PostgresStore;
    beforeAll(async () => {
      store = await fixture.open();
    });

    it('keeps expires_at = min(last seen + idle timeout, absolute expiry) as touches move it', async () => {
      await store.reset();
      await store.createSession('secret-a', session('a', { idleTimeoutMs: 100, absoluteExpiresAt: 250 }));
      const expiresAt = async () =>
        (await admin.query<{ e: string }>(`SELECT expires_at AS e FROM "${store.schema}".sessions WHERE id = 'a'`))
          .rows[0]!.e;
      expect(await expiresAt()).toBe('100');
      expect(await store.touchSession('a', 90)).toBe(true);
      expect(await expiresAt()).toBe('190');
      expect(await store.touchSession('a', 50)).toBe(true);
      expect(await expiresAt()).toBe('190');
      expect(await store.touchSession('a', 200)).toBe(true);
      expect(await expiresAt()).toBe('250');
      expect(await store.sweep(249, 10)).toMatchObject({ sessions: 0, carts: 0, refreshFamilies: 0 });
      expect(await store.sweep(250, 10)).toMatchObject({ sessions: 1, carts: 0, refreshFamilies: 0 });
    });

    it('stores only a hash of the cookie secret', async () => {
      await store.reset();
      await store.createSession('the-secret', session('s'));
      const { rows } = await admin.query(`SELECT * FROM "${store.schema}".sessions`);
      expect(JSON.stringify(rows)).not.toContain('the-secret');
      expect(await store.findSessionBySecret('the-secret')).toMatchObject({ id: 's' });
    });

    it('sweeps in bounded batches, with guest carts and refresh families, and counts what it removed', async () => {
      await store.reset();
      for (let i = 0; i < 5; i++) {
        await store.createSession(`g${i}`, session(`guest-${i}`));
        await store.addToCart(`guest:guest-${i}`, `cart-${i}`, { sku: 'A', quantity: 1 }, 10);
        await store.createSession(`u${i}`, session(`user-${i}`, { userId: 'u' }));
        await store.createRefreshFamily({
          id: `f${i}`,
          sessionId: `user-${i}`,
          userId: 'u',
          generation: 0,
          rotatedAt: 0,
        });
      }
      await store.createSession('live', session('live', { idleTimeoutMs: 10_000 }));
      await store.addToCart('guest:live', 'cart-live', { sku: 'A', quantity: 1 }, 10);
      expect(await store.sessionStats(1000)).toEqual({
        live: 1,
        expiredAwaitingSweep: 10,
        created: 11,
        ended: 0,
        swept: 0,
      });

      const first = await store.sweep(1000, 4);
      expect(first.sessions).toBe(4);
      const rest = [await store.sweep(1000, 4), await store.sweep(1000, 4), await store.sweep(1000, 4)];
      const total = [first, ...rest].reduce((sum, batch) => ({
        sessions: sum.sessions + batch.sessions,
        carts: sum.carts + batch.carts,
        refreshFamilies: sum.refreshFamilies + batch.refreshFamilies,
      }));
      expect(rest.map((batch) => batch.sessions)).toEqual([4, 2, 0]);
      expect(total).toEqual({ sessions: 10, carts: 5, refreshFamilies: 5 });
      expect(await store.sessionStats(1000)).toEqual({
        live: 1,
        expiredAwaitingSweep: 0,
        created: 11,
        ended: 0,
        swept: 10,
      });
      expect(await store.findSession('live')).not.toBeNull();
      expect((await store.getOrCreateCart('guest:live', 'other')).id).toBe('cart-live');
      expect(await store.listUserSessions('u')).toEqual([]);
    });

    it('skips a session a transaction holds instead of waiting for it, and takes it next time', async () => {
      await store.reset();
      for (const id of ['a', 'b', 'c']) await store.createSession(id, session(id));
      await admin.query('BEGIN');
      try {
        await admin.query(`SELECT 1 FROM "${store.schema}".sessions WHERE id = 'b' FOR UPDATE`);
        const started = Date.now();
        expect(await store.sweep(1000, 10)).toMatchObject({ sessions: 2 });
        expect(Date.now() - started).toBeLessThan(1000);
      } finally {
        await admin.query('COMMIT');
      }
      expect(await store.sweep(1000, 10)).toMatchObject({ sessions: 1 });
    });

    it('does not sweep a session touched after the sweep was asked for but before it ran', async () => {
      await store.reset();
      await store.createSession('s', session('s', { idleTimeoutMs: 100 }));
      await admin.query('BEGIN');
      let sweeping: Promise<unknown> | undefined;
      try {
        await admin.query(`UPDATE "${store.schema}".sessions SET last_seen_at = 500 WHERE id = 's'`);
        // The row is locked, so the sweep skips it; once committed it is no longer due.
        sweeping = store.sweep(200, 10);
        expect(await sweeping).toMatchObject({ sessions: 0 });
      } finally {
        await admin.query('COMMIT');
      }
      expect(await store.sweep(200, 10)).toMatchObject({ sessions: 0 });
      expect(await store.findSession('s')).toMatchObject({ lastSeenAt: 500 });
    });
  });

  // The contract suite (postgres.test.ts) holds the store to the shared races; this one is about lock order.
  describe('races', () => {
    let store: PostgresStore;
    beforeAll(async () => {
      store = await fixture.open();
    });

    it('concurrent replays of one login merge the guest cart once', async () => {
      await store.reset();
      await store.createSession('secret-g', session('g'));
      await store.addToCart('user:u', 'user-cart', { sku: 'A', quantity: 1 }, 100);
      await store.addToCart('guest:g', 'guest-cart', { sku: 'A', quantity: 2 }, 100);
      await store.addToCart('guest:g', 'guest-cart', { sku: 'B', quantity: 5 }, 100);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.mergeCarts('guest:g', 'user:u', `new-${i}`, 'sum', 100)),
      );
      expect(await store.getOrCreateCart('user:u', 'x')).toMatchObject({
        id: 'user-cart',
        items: [
          { sku: 'A', quantity: 3 },
          { sku: 'B', quantity: 5 },
        ],
        version: 2,
      });
      await expect(store.getOrCreateCart('guest:g', 'fresh')).rejects.toBeInstanceOf(GuestSessionEndedError);
      expect(await store.sessionStats(0)).toMatchObject({ ended: 1 });
    });

    it('merges of many guests into one user, racing checkouts and adds, neither deadlock nor lose a unit', async () => {
      await store.reset();
      const max = 1_000_000;
      await store.addToCart('user:u', 'user-cart', { sku: 'A', quantity: 10 }, max);
      for (let i = 0; i < 10; i++) {
        await store.createSession(`secret-g${i}`, session(`g${i}`));
        await store.addToCart(`guest:g${i}`, `guest-${i}`, { sku: i % 2 ? 'A' : 'B', quantity: i + 1 }, max);
      }
      await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => store.mergeCarts(`guest:g${i}`, 'user:u', `new-${i}`, 'sum', max)),
        ...Array.from({ length: 10 }, (_, i) =>
          store.checkout({
            owner: 'user:u',
            userId: 'u',
            orderId: `o${i}`,
            now: i,
            idempotencyKey: null,
            fingerprint: 'f',
          }),
        ),
        ...Array.from({ length: 20 }, (_, i) => store.addToCart('user:u', `add-${i}`, { sku: 'C', quantity: 1 }, max)),
      ]);
      const total = (lines: { quantity: number }[]) => lines.reduce((sum, line) => sum + line.quantity, 0);
      const ordered = (await store.listOrders('u')).reduce((sum, order) => sum + total(order.items), 0);
      expect(ordered + total((await store.getOrCreateCart('user:u', 'x')).items)).toBe(10 + 55 + 20);
    });
  });

  describe('errors', () => {
    it('reports an unreachable server as StoreUnavailableError, promptly', async () => {
      const unreachable = new URL(url);
      unreachable.port = '1';
      const started = Date.now();
      await expect(fixture.open({ connectionString: unreachable.toString() })).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('reports a statement that runs past the timeout as StoreUnavailableError', async () => {
      // Migrated first with the default timeout, so only the statements under test run with the short one.
      const { schema } = await fixture.open();
      const store = await fixture.open({ schema, statementTimeoutMs: 500 });
      await store.addToCart('user:u', 'cart', { sku: 'A', quantity: 1 }, 10);
      await admin.query('BEGIN');
      try {
        await admin.query(`SELECT 1 FROM "${store.schema}".carts FOR UPDATE`);
        const started = Date.now();
        await expect(store.addToCart('user:u', 'cart', { sku: 'A', quantity: 1 }, 10)).rejects.toBeInstanceOf(
          StoreUnavailableError,
        );
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        await admin.query('ROLLBACK');
      }
      expect((await store.getOrCreateCart('user:u', 'x')).items).toEqual([{ sku: 'A', quantity: 1 }]);
    });

    it('lets a constraint violation through as itself, not as an outage', async () => {
      const store = await fixture.open();
      await store.createSession('secret-1', session('s'));
      const duplicate = store.createSession('secret-2', session('s'));
      await expect(duplicate).rejects.toBeInstanceOf(pg.DatabaseError);
      await expect(duplicate).rejects.not.toBeInstanceOf(StoreUnavailableError);
    });
  });
});
