import pg from 'pg';
import { StoreUnavailableError } from '../errors.ts';

export interface PoolOptions {
  connectionString: string;
  /** Connections held at most. */
  poolSize: number;
  /** Bounds opening a connection and waiting for a free one, so an unreachable server fails fast. */
  connectTimeoutMs: number;
  /** Server-side `statement_timeout`; the client gives up a second later in case the server cannot say so. */
  statementTimeoutMs: number;
  /** Called when an idle connection dies; the pool has already dropped it. */
  onIdleError: (error: Error) => void;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: 10_000,
    statement_timeout: options.statementTimeoutMs,
    idle_in_transaction_session_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    keepAlive: true,
    application_name: 'sessionproof',
  });
  // Without a listener, an idle connection killed by a server restart would crash the process.
  pool.on('error', options.onIdleError);
  return pool;
}

/**
 * SQLSTATE classes that mean the server is not there for us: connection exceptions (08), insufficient resources
 * (53), operator intervention (57: shutdown, statement timeout) and system errors (58).
 */
const unavailableClasses = new Set(['08', '53', '57', '58']);

/**
 * Errors from the server itself carry a SQLSTATE; pg reports a refused or dropped connection, a connect timeout and
 * a query timeout as plain errors. Those, and the SQLSTATEs above, mean the store is unavailable; anything else (a
 * constraint violation, a programming error) passes through unchanged.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || error instanceof TypeError || error instanceof RangeError) {
    return error;
  }
  if (error instanceof pg.DatabaseError) {
    return unavailableClasses.has(error.code?.slice(0, 2) ?? '') ? new StoreUnavailableError(error) : error;
  }
  return new StoreUnavailableError(error);
}

/**
 * Statement names by text. A named statement is parsed and planned once per connection and then only bound and run,
 * which saves PostgreSQL most of its work on the short CTEs a request runs. The texts are a fixed set per schema.
 */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `sessionproof_${statementNames.size}`));
  return name;
}

/** Runs `text` as a prepared statement (see statementNames), with errors mapped by toStoreError. */
export async function query<R extends pg.QueryResultRow>(
  on: pg.Pool | pg.PoolClient,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  try {
    return await on.query<R>({ name: statementName(text), text, values });
  } catch (error) {
    throw toStoreError(error);
  }
}

/**
 * Runs `work` on one checked-out connection. A connection that failed is destroyed rather than returned, which
 * also releases any session-level lock it held.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toStoreError(error);
  }
  // A checked-out connection has no pool listener: a drop must not crash the process (the pending query reports it).
  const ignore = () => undefined;
  client.on('error', ignore);
  let broken = false;
  try {
    return await work(client);
  } catch (error) {
    const mapped = toStoreError(error);
    broken = mapped instanceof StoreUnavailableError;
    throw mapped;
  } finally {
    client.off('error', ignore);
    client.release(broken);
  }
}

/** One short transaction (READ COMMITTED): rolled back on any error. */
export function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
