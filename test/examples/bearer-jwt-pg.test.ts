import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Started } from '../../examples/bearer-jwt-pg/server.ts';
import { HttpClient } from '../support/http-client.ts';
import { provisionStore } from '../support/stores.ts';

/**
 * The bearer-JWT example on a real PostgreSQL, in a schema of this run's own (dropped afterwards): its routes, the
 * atomic cart it gets right, and its known bug shown happening: two refreshes with one refresh token (a client's
 * tabs) get the whole token family revoked, which signs the user out.
 */
const postgres = await provisionStore('postgres');
const schema = `bearer_jwt_pg_test_${randomBytes(6).toString('hex')}`;
const jwtSecret = randomBytes(32).toString('base64url');
let app: Started;
let http: HttpClient;

beforeAll(async () => {
  if (!postgres.url) return;
  app = await start({ databaseUrl: postgres.url, schema, jwtSecret });
  http = new HttpClient(app.url);
});

afterAll(async () => {
  if (postgres.url) {
    await app?.close();
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
  }
  await postgres.release();
});

interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

const bearer = (tokens: Tokens) => ({ headers: { authorization: `Bearer ${tokens.access_token}` } });

async function newUser(): Promise<{ email: string; tokens: Tokens }> {
  const email = `user-${randomBytes(6).toString('hex')}@example.com`;
  expect((await http.post('/auth/register', { email, password: 'secret-password' })).status).toBe(201);
  const reply = await http.post('/auth/token', { email, password: 'secret-password' });
  expect(reply.status).toBe(200);
  return { email, tokens: reply.body };
}

const addLine = (tokens: Tokens, sku: string, quantity: number) =>
  http.post('/cart/lines', { sku, quantity }, bearer(tokens));

describe.skipIf(postgres.url === null)('bearer-jwt-pg', () => {
  it('refuses a JWT_SECRET shorter than 32 bytes', async () => {
    await expect(start({ databaseUrl: postgres.url!, schema, jwtSecret: 'x'.repeat(31) })).rejects.toThrow(
      /JWT_SECRET/,
    );
  });

  it('issues tokens to seed and registered users', async () => {
    const seeded = await http.post('/auth/token', { email: 'alice@example.com', password: 'wonderland' });
    expect(seeded).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 900 } });
    expect(seeded.body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const claims = JSON.parse(Buffer.from(seeded.body.access_token.split('.')[1], 'base64url').toString());
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'jti', 'sub']);
    expect(claims.exp - claims.iat).toBe(900);

    expect((await http.post('/auth/token', { email: 'alice@example.com', password: 'nope' })).body).toEqual({
      error: 'invalid_grant',
    });
    const { email, tokens } = await newUser();
    expect((await http.post('/auth/register', { email, password: 'whatever' })).status).toBe(409);
    expect(await http.get('/users/me', bearer(tokens))).toMatchObject({ status: 200, body: { email } });
    const anonymous = await http.get('/users/me');
    expect(anonymous).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect((await http.get('/cart', { headers: { authorization: 'Bearer not.a.jwt' } })).status).toBe(401);
  });

  it('keeps a cart per user: POST adds, PUT sets, DELETE removes', async () => {
    const { tokens } = await newUser();
    const other = await newUser();
    expect((await addLine(tokens, 'SKU-0001', 2)).body).toMatchObject({
      lines: [{ sku: 'SKU-0001', quantity: 2 }],
      total_quantity: 2,
    });
    expect((await addLine(tokens, 'SKU-0001', 3)).body.lines).toMatchObject([{ sku: 'SKU-0001', quantity: 5 }]);
    expect(await addLine(tokens, 'SKU-9999', 1)).toMatchObject({ status: 422, body: { error: 'unknown_sku' } });
    expect((await addLine(tokens, 'SKU-0001', 0)).status).toBe(400);
    expect((await http.get('/cart', bearer(other.tokens))).body.lines).toEqual([]);

    let reply = await http.put('/cart/lines/SKU-0002', { quantity: 4 }, bearer(tokens));
    expect(reply.body.lines).toMatchObject([
      { sku: 'SKU-0001', quantity: 5 },
      { sku: 'SKU-0002', quantity: 4 },
    ]);
    reply = await http.put('/cart/lines/SKU-0001', { quantity: 998 }, bearer(tokens));
    expect((await addLine(tokens, 'SKU-0001', 2)).status).toBe(422);
    reply = await http.put('/cart/lines/SKU-0001', { quantity: 0 }, bearer(tokens));
    expect(reply.body.lines).toMatchObject([{ sku: 'SKU-0002', quantity: 4 }]);
    reply = await http.delete('/cart/lines/SKU-0002', bearer(tokens));
    expect(reply).toMatchObject({ status: 200, body: { lines: [], total_quantity: 0, total: 0 } });
  });

  it('checks out the cart into an order in one transaction', async () => {
    const { tokens } = await newUser();
    expect(await http.post('/orders', undefined, bearer(tokens))).toMatchObject({
      status: 409,
      body: { error: 'cart_empty' },
    });
    await addLine(tokens, 'SKU-0005', 2);
    await addLine(tokens, 'SKU-0003', 1);
    const order = await http.post('/orders', undefined, bearer(tokens));
    expect(order).toMatchObject({
      status: 201,
      body: {
        lines: [
          { sku: 'SKU-0003', quantity: 1 },
          { sku: 'SKU-0005', quantity: 2 },
        ],
      },
    });
    expect((await http.get('/cart', bearer(tokens))).body.lines).toEqual([]);
    const orders = (await http.get('/orders', bearer(tokens))).body.orders;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ id: order.body.id, total: order.body.total, lines: order.body.lines });
  });

  it('rotates refresh tokens; logout revokes the family but access tokens live until they expire', async () => {
    const { tokens } = await newUser();
    const refreshed = await http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token);
    const current: Tokens = refreshed.body;

    expect((await http.post('/auth/logout', { refresh_token: current.refresh_token })).status).toBe(204);
    expect((await http.post('/auth/refresh', { refresh_token: current.refresh_token })).status).toBe(401);
    // Stateless access tokens: logout cannot reach them.
    expect((await http.get('/users/me', bearer(current))).status).toBe(200);

    const one = (await http.post('/auth/token', { email: 'bob@example.com', password: 'builder' })).body as Tokens;
    const two = (await http.post('/auth/token', { email: 'bob@example.com', password: 'builder' })).body as Tokens;
    expect((await http.post('/auth/logout-all', undefined, bearer(one))).status).toBe(204);
    expect((await http.post('/auth/refresh', { refresh_token: one.refresh_token })).status).toBe(401);
    expect((await http.post('/auth/refresh', { refresh_token: two.refresh_token })).status).toBe(401);
  });

  it('expires access tokens after ACCESS_TOKEN_TTL_SECONDS', async () => {
    const short = await start({ databaseUrl: postgres.url!, schema, jwtSecret, accessTokenTtlSeconds: 1, seed: false });
    try {
      const client = new HttpClient(short.url);
      const tokens = (await client.post('/auth/token', { email: 'alice@example.com', password: 'wonderland' }))
        .body as Tokens;
      expect(tokens.expires_in).toBe(1);
      expect((await client.get('/users/me', bearer(tokens))).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      expect((await client.get('/users/me', bearer(tokens))).status).toBe(401);
      // The refresh token outlives it.
      expect((await client.post('/auth/refresh', { refresh_token: tokens.refresh_token })).status).toBe(200);
    } finally {
      await short.close();
    }
  });

  it('does not lose concurrent adds: 20 at once sum exactly', async () => {
    for (let round = 0; round < 3; round++) {
      const { tokens } = await newUser();
      const replies = await Promise.all(Array.from({ length: 20 }, () => addLine(tokens, 'SKU-0007', 1)));
      expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(200));
      expect((await http.get('/cart', bearer(tokens))).body.lines).toMatchObject([{ sku: 'SKU-0007', quantity: 20 }]);
    }
  });

  it('checkout racing adds loses none: every accepted add is ordered or still in the cart', async () => {
    const { tokens } = await newUser();
    await addLine(tokens, 'SKU-0008', 1);
    const adds = Array.from({ length: 10 }, () => addLine(tokens, 'SKU-0008', 1));
    const checkout = http.post('/orders', undefined, bearer(tokens));
    const accepted = (await Promise.all(adds)).filter((reply) => reply.status === 200).length;
    expect(accepted).toBe(10);
    const order = await checkout;
    expect(order.status).toBe(201);
    const ordered = order.body.lines[0].quantity as number;
    const left = ((await http.get('/cart', bearer(tokens))).body.total_quantity as number) ?? 0;
    expect(ordered + left).toBe(11);
  });

  it('known bug: two tabs refreshing with one token sign the user out (or both get a token)', async () => {
    // Two tabs share the refresh token (localStorage) and both refresh as their access token runs out, the second
    // a little after the first: while the first is in flight, or just after it. Over a real network the two overlap
    // far longer than on loopback, where a refresh takes a few ms (more on a loaded machine).
    const staggersMs = [0, 2, 5, 10, 20, 40, 80, 160, 320];
    const { email } = await newUser();
    let signedOut = 0;
    for (const staggerMs of staggersMs) {
      const tokens = (await http.post('/auth/token', { email, password: 'secret-password' })).body as Tokens;
      const tab = () => http.post('/auth/refresh', { refresh_token: tokens.refresh_token });
      const first = tab();
      await new Promise((resolve) => setTimeout(resolve, staggerMs));
      const replies = await Promise.all([first, tab()]);
      const issued = replies.filter((reply) => reply.status === 200).map((reply) => reply.body as Tokens);
      expect(issued.length).toBeGreaterThan(0);
      // The client keeps whichever new refresh token it got. Either none works any more (the second tab read the
      // token after the first marked it used, and reuse detection revoked the family, the first tab's new token
      // with it) or the single-use token was accepted twice (both read it before either marked it).
      const later = await Promise.all(
        issued.map((fresh) => http.post('/auth/refresh', { refresh_token: fresh.refresh_token })),
      );
      const out = later.every((reply) => reply.status === 401);
      expect(out || issued.length === 2, `stagger ${staggerMs} ms`).toBe(true);
      if (out) signedOut++;
    }
    expect(signedOut).toBeGreaterThan(0);
  });
});
