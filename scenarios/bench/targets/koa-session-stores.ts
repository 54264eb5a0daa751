import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The external stores a koa-session user writes for themselves: get, set with the TTL koa-session passes, destroy.
 * Values are JSON. Each is the plain, correct minimum, so the baseline costs what a typical deployment costs.
 */
export interface KoaSessionStore {
  get(key: string): Promise<unknown>;
  set(key: string, session: unknown, maxAgeMs: number | 'session' | undefined): Promise<void>;
  destroy(key: string): Promise<void>;
  close(): Promise<void>;
}

/** koa-session passes the cookie's maxAge; a browser-session cookie ('session') still needs a bound in a store. */
const fallbackTtlMs = 24 * 60 * 60 * 1000;

function ttlMs(maxAge: number | 'session' | undefined): number {
  return typeof maxAge === 'number' && maxAge > 0 ? maxAge : fallbackTtlMs;
}

export function memorySessionStore(): KoaSessionStore {
  const sessions = new Map<string, unknown>();
  return {
    get: async (key) => sessions.get(key),
    set: async (key, session) => void sessions.set(key, session),
    destroy: async (key) => void sessions.delete(key),
    close: async () => {},
  };
}

/** ioredis: GET, SET ... PX, DEL under a key prefix (the `prefix` query parameter of the URL). */
export async function ioredisSessionStore(location: string): Promise<KoaSessionStore> {
  const url = new URL(location);
  const prefix = url.searchParams.get('prefix') ?? 'koa:sess:';
  url.searchParams.delete('prefix');
  const redis = new Redis(url.toString(), { keyPrefix: prefix, lazyConnect: true });
  await redis.connect();
  return {
    async get(key) {
      const json = await redis.get(key);
      return json === null ? undefined : JSON.parse(json);
    },
    async set(key, session, maxAge) {
      await redis.set(key, JSON.stringify(session), 'PX', ttlMs(maxAge));
    },
    async destroy(key) {
      await redis.del(key);
    },
    async close() {
      await redis.quit();
    },
  };
}

/** pg: one table in the schema named by the `schema` query parameter (created if missing), upsert on set. */
export async function postgresSessionStore(location: string): Promise<KoaSessionStore> {
  const url = new URL(location);
  const schema = url.searchParams.get('schema') ?? 'koa_session';
  url.searchParams.delete('schema');
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  const table = `${pg.escapeIdentifier(schema)}.sessions`;
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, value jsonb NOT NULL, expires_at bigint NOT NULL)`,
  );
  return {
    async get(key) {
      const { rows } = await pool.query<{ value: unknown }>(
        `SELECT value FROM ${table} WHERE key = $1 AND expires_at > $2`,
        [key, Date.now()],
      );
      return rows[0]?.value;
    },
    async set(key, session, maxAge) {
      await pool.query(
        `INSERT INTO ${table} (key, value, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
        [key, JSON.stringify(session), Date.now() + ttlMs(maxAge)],
      );
    },
    async destroy(key) {
      await pool.query(`DELETE FROM ${table} WHERE key = $1`, [key]);
    },
    async close() {
      await pool.end();
    },
  };
}
