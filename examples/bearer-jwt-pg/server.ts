import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import pg from 'pg';
import { migrate } from './schema.ts';
import { AccessTokens, hashPassword, RefreshTokens, verifyPassword } from './tokens.ts';

export interface AppOptions {
  pool: pg.Pool;
  /** HS256 key; at least 32 bytes or the app refuses to start. */
  jwtSecret: string;
  /** Access token lifetime (default 900). */
  accessTokenTtlSeconds?: number;
  /** Lifetime of each refresh token (default 14 days). */
  refreshTokenTtlSeconds?: number;
}

export const seedUsers = [
  { email: 'alice@example.com', password: 'wonderland' },
  { email: 'bob@example.com', password: 'builder' },
];

const skuPattern = /^[A-Z0-9-]{1,32}$/;
const maxAddQuantity = 99;
const maxLineQuantity = 999;

interface CartLineRow {
  sku: string;
  quantity: number;
  unit_price: number;
}

async function readCart(db: pg.Pool | pg.PoolClient, userId: string) {
  const { rows } = await db.query<CartLineRow>(
    `SELECT c.sku, c.quantity, p.price AS unit_price
       FROM cart_lines c JOIN products p USING (sku)
      WHERE c.user_id = $1
      ORDER BY c.added_at, c.sku`,
    [userId],
  );
  const lines = rows.map((row) => ({ ...row, line_total: row.quantity * row.unit_price }));
  return {
    lines,
    total_quantity: lines.reduce((sum, line) => sum + line.quantity, 0),
    total: lines.reduce((sum, line) => sum + line.line_total, 0),
  };
}

/**
 * Runs one cart write of a user, and the read of the cart it answers with, in a transaction that holds the user's
 * row (FOR NO KEY UPDATE, which foreign-key checks do not wait for). Writes of one user then happen one at a time,
 * and each answers the cart it left: with the read outside, a concurrent write could land between write and read,
 * and two adds would each answer a cart holding both, which no order of the two explains.
 */
async function cartTransaction<T>(pool: pg.Pool, userId: string, work: (db: pg.PoolClient) => Promise<T>) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

const isQuantity = (value: unknown, min: number, max: number): value is number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/** PostgreSQL's error code on a failed query (23505 unique violation, 23503 foreign key violation). */
const pgCode = (err: unknown) => (err as { code?: string } | null)?.code;

const userIdOf = (res: Response) => res.locals.userId as string;

export async function createApp(options: AppOptions): Promise<express.Express> {
  const { pool } = options;
  const accessTokens = new AccessTokens(options.jwtSecret, options.accessTokenTtlSeconds ?? 900);
  const decoyHash = await hashPassword(randomBytes(16).toString('hex'));
  const refreshTokens = new RefreshTokens(pool, options.refreshTokenTtlSeconds ?? 14 * 24 * 3600);
  const app = express();
  app.use(express.json());

  /** Bearer tokens only: no cookies, so no CSRF to defend against. */
  const requireAuth: RequestHandler = async (req, res, next) => {
    const match = /^Bearer (\S+)$/i.exec(req.get('authorization') ?? '');
    try {
      if (!match) throw new Error('no bearer token');
      res.locals.userId = await accessTokens.verify(match[1]!);
    } catch {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      res.status(401).json({ error: 'invalid_token' });
      return;
    }
    next();
  };

  async function tokenResponse(userId: string, refreshToken: string) {
    return {
      access_token: await accessTokens.sign(userId),
      token_type: 'Bearer',
      expires_in: accessTokens.ttlSeconds,
      refresh_token: refreshToken,
    };
  }

  const invalidGrant = (res: Response) => res.status(401).json({ error: 'invalid_grant' });

  app.post('/auth/register', async (req, res) => {
    const { email, password } = req.body ?? {};
    if (typeof email !== 'string' || !/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(email)) {
      res.status(400).json({ error: 'invalid_email' });
      return;
    }
    if (typeof password !== 'string' || password.length < 6) {
      res.status(400).json({ error: 'invalid_password' });
      return;
    }
    try {
      const { rows } = await pool.query<{ id: string; email: string }>(
        'INSERT INTO users (email, password_hash) VALUES (lower($1), $2) RETURNING id, email',
        [email, await hashPassword(password)],
      );
      res.status(201).json(rows[0]);
    } catch (err) {
      if (pgCode(err) !== '23505') throw err;
      res.status(409).json({ error: 'email_taken' });
    }
  });

  app.post('/auth/token', async (req, res) => {
    const { email, password } = req.body ?? {};
    if (typeof email !== 'string' || typeof password !== 'string') {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    const { rows } = await pool.query<{ id: string; password_hash: string }>(
      'SELECT id, password_hash FROM users WHERE email = lower($1)',
      [email],
    );
    const user = rows[0];
    // An unknown email costs a hash too, so response times do not tell which emails have accounts.
    const valid = await verifyPassword(password, user?.password_hash ?? decoyHash);
    if (!user || !valid) {
      invalidGrant(res);
      return;
    }
    res.json(await tokenResponse(user.id, await refreshTokens.issue(user.id)));
  });

  app.post('/auth/refresh', async (req, res) => {
    const token = req.body?.refresh_token;
    if (typeof token !== 'string') {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    const rotated = await refreshTokens.rotate(token);
    if (!rotated) {
      invalidGrant(res);
      return;
    }
    res.json(await tokenResponse(rotated.userId, rotated.refreshToken));
  });

  // Ends the login the refresh token belongs to. Access tokens already issued stay valid until they expire.
  app.post('/auth/logout', async (req, res) => {
    const token = req.body?.refresh_token;
    if (typeof token !== 'string') {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    await refreshTokens.revokeByToken(token);
    res.status(204).end();
  });

  app.post('/auth/logout-all', requireAuth, async (_req, res) => {
    await refreshTokens.revokeUser(userIdOf(res));
    res.status(204).end();
  });

  app.get('/users/me', requireAuth, async (_req, res) => {
    const { rows } = await pool.query('SELECT id, email, created_at FROM users WHERE id = $1', [userIdOf(res)]);
    if (rows.length === 0) {
      res.status(401).json({ error: 'invalid_token' });
      return;
    }
    res.json(rows[0]);
  });

  app.get('/cart', requireAuth, async (_req, res) => {
    res.json(await readCart(pool, userIdOf(res)));
  });

  app.post('/cart/lines', requireAuth, async (req, res) => {
    const { sku, quantity } = req.body ?? {};
    if (typeof sku !== 'string' || !skuPattern.test(sku) || !isQuantity(quantity, 1, maxAddQuantity)) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    try {
      const userId = userIdOf(res);
      const cart = await cartTransaction(pool, userId, async (db) => {
        // the increment happens in the database, so concurrent adds all count
        const { rowCount } = await db.query(
          `INSERT INTO cart_lines (user_id, sku, quantity) VALUES ($1, $2, $3)
           ON CONFLICT (user_id, sku) DO UPDATE SET quantity = cart_lines.quantity + EXCLUDED.quantity
           WHERE cart_lines.quantity + EXCLUDED.quantity <= $4`,
          [userId, sku, quantity, maxLineQuantity],
        );
        return rowCount === 0 ? null : await readCart(db, userId);
      });
      if (cart === null) res.status(422).json({ error: 'quantity_limit', max: maxLineQuantity });
      else res.json(cart);
    } catch (err) {
      if (pgCode(err) !== '23503') throw err;
      res.status(422).json({ error: 'unknown_sku' });
    }
  });

  app.put('/cart/lines/:sku', requireAuth, async (req, res) => {
    const sku = String(req.params['sku']);
    const quantity = req.body?.quantity;
    if (!skuPattern.test(sku) || !isQuantity(quantity, 0, maxLineQuantity)) {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    try {
      const userId = userIdOf(res);
      const cart = await cartTransaction(pool, userId, async (db) => {
        if (quantity === 0) {
          await db.query('DELETE FROM cart_lines WHERE user_id = $1 AND sku = $2', [userId, sku]);
        } else {
          await db.query(
            `INSERT INTO cart_lines (user_id, sku, quantity) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, sku) DO UPDATE SET quantity = EXCLUDED.quantity`,
            [userId, sku, quantity],
          );
        }
        return readCart(db, userId);
      });
      res.json(cart);
    } catch (err) {
      if (pgCode(err) !== '23503') throw err;
      res.status(422).json({ error: 'unknown_sku' });
    }
  });

  app.delete('/cart/lines/:sku', requireAuth, async (req, res) => {
    const userId = userIdOf(res);
    const cart = await cartTransaction(pool, userId, async (db) => {
      await db.query('DELETE FROM cart_lines WHERE user_id = $1 AND sku = $2', [userId, req.params['sku']]);
      return readCart(db, userId);
    });
    res.json(cart);
  });

  app.post('/orders', requireAuth, async (_req, res) => {
    const userId = userIdOf(res);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // one cart write at a time per user, as in cartTransaction: an add waits for the order, or the order for it
      await client.query('SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId]);
      // DELETE ... RETURNING takes exactly the lines it removes: an add committed meanwhile stays in the cart
      // (or lands after, as a new line) instead of vanishing between a read and a delete.
      const { rows: lines } = await client.query<CartLineRow>(
        `WITH taken AS (DELETE FROM cart_lines WHERE user_id = $1 RETURNING sku, quantity)
         SELECT taken.sku, taken.quantity, p.price AS unit_price
           FROM taken JOIN products p USING (sku)
          ORDER BY taken.sku`,
        [userId],
      );
      if (lines.length === 0) {
        await client.query('ROLLBACK');
        res.status(409).json({ error: 'cart_empty' });
        return;
      }
      const total = lines.reduce((sum, line) => sum + line.quantity * line.unit_price, 0);
      const { rows } = await client.query<{ id: string; created_at: Date }>(
        'INSERT INTO orders (user_id, total) VALUES ($1, $2) RETURNING id, created_at',
        [userId, total],
      );
      const order = rows[0]!;
      await client.query(
        `INSERT INTO order_lines (order_id, sku, quantity, unit_price)
         SELECT $1, * FROM unnest($2::text[], $3::int[], $4::int[])`,
        [order.id, lines.map((l) => l.sku), lines.map((l) => l.quantity), lines.map((l) => l.unit_price)],
      );
      await client.query('COMMIT');
      res.status(201).json({ id: order.id, lines, total, created_at: order.created_at });
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  });

  app.get('/orders', requireAuth, async (_req, res) => {
    const { rows } = await pool.query(
      `SELECT o.id,
              json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity, 'unit_price', l.unit_price)
                       ORDER BY l.sku) AS lines,
              o.total, o.created_at
         FROM orders o JOIN order_lines l ON l.order_id = o.id
        WHERE o.user_id = $1
        GROUP BY o.id
        ORDER BY o.created_at, o.id`,
      [userIdOf(res)],
    );
    res.json({ orders: rows });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    // body-parser's errors carry a 4xx status (malformed JSON, too large); anything else is ours.
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) console.error(err);
    res.status(status).json({ error: status === 500 ? 'server_error' : 'invalid_request' });
  };
  app.use(onError);

  return app;
}

export interface StartOptions extends Omit<AppOptions, 'pool'> {
  databaseUrl: string;
  /** Where the tables live (default `bearer_jwt_pg`); created when missing. */
  schema?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Create the seed users (alice@, bob@example.com) when missing; on by default. */
  seed?: boolean;
}

export interface Started {
  url: string;
  close(): Promise<void>;
}

export async function start(options: StartOptions): Promise<Started> {
  const host = options.host ?? '127.0.0.1';
  const schema = options.schema ?? 'bearer_jwt_pg';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`PGSCHEMA must be a plain lower-case name: ${schema}`);
  // Every pooled connection resolves table names in the app's schema.
  const pool = new pg.Pool({ connectionString: options.databaseUrl, options: `-c search_path=${schema}` });
  // An idle client losing its connection emits this; unhandled, it would crash the process (pg's Pool docs).
  pool.on('error', (err) => console.error('pg pool:', err.message));
  try {
    const app = await createApp({ ...options, pool });
    await migrate(pool, schema);
    if (options.seed ?? true) {
      for (const { email, password } of seedUsers) {
        await pool.query('INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING', [
          email,
          await hashPassword(password),
        ]);
      }
    }
    const server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://${host}:${port}`,
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end();
    throw err;
  }
}
