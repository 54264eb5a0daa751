import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { start, type StartOptions, type Started } from '../../examples/express-session-cart/server.ts';
import { HttpClient } from '../support/http-client.ts';
import { provisionStore } from '../support/stores.ts';

/**
 * The express-session example over real HTTP: its routes, and its two known bugs shown happening (lost updates on
 * concurrent adds; logout undone by a slower request that saves the session back), on the MemoryStore and, when a
 * Redis is available, on connect-redis.
 */
const redis = await provisionStore('redis');
const redisPrefix = `test:express-session-cart:${randomUUID()}:`;

afterAll(async () => {
  if (redis.url) {
    const client = createClient({ url: redis.url });
    await client.connect();
    const keys = await client.keys(`${redisPrefix}*`);
    if (keys.length > 0) await client.del(keys);
    await client.close();
  }
  await redis.release();
});

const stores: Array<[string, StartOptions | null]> = [
  ['MemoryStore', {}],
  ['connect-redis', redis.url ? { redisUrl: redis.url, redisPrefix } : null],
];

async function withApp(options: StartOptions, body: (app: Started) => Promise<void>): Promise<void> {
  const app = await start(options);
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

async function signedIn(url: string): Promise<HttpClient> {
  const client = new HttpClient(url);
  const username = `user-${randomUUID()}`;
  expect((await client.post('/api/register', { username, password: 'secret-password' })).status).toBe(201);
  expect((await client.post('/api/login', { username, password: 'secret-password' })).status).toBe(200);
  return client;
}

describe.each(stores)('express-session-cart on %s', (_name, storeOptions) => {
  it.skipIf(storeOptions === null)('serves its routes', async () => {
    await withApp({ ...storeOptions, lookupDelayMs: 1 }, async ({ url }) => {
      const client = new HttpClient(url);
      expect(await client.get('/api/me')).toMatchObject({ status: 401, body: { error: 'not_logged_in' } });
      expect(client.cookies.has('connect.sid')).toBe(true);

      const guestCookie = client.cookies.get('connect.sid');
      let reply = await client.post('/api/cart/add', { productId: 3, qty: 2 });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ totalQty: 2, items: [{ productId: 3, qty: 2 }] });
      expect((await client.post('/api/cart/add', { productId: 999, qty: 1 })).status).toBe(404);
      expect((await client.post('/api/cart/add', { productId: 3, qty: 0 })).status).toBe(400);
      expect((await client.post('/api/cart/add', { productId: 3, qty: 98 })).status).toBe(422);

      expect((await client.post('/api/login', { username: 'alice', password: 'nope' })).status).toBe(401);
      reply = await client.post('/api/login', { username: 'alice', password: 'wonderland' });
      expect(reply).toMatchObject({ status: 200, body: { user: { username: 'alice' } } });
      expect(client.cookies.get('connect.sid')).not.toBe(guestCookie);
      expect((await client.get('/api/me')).body).toEqual({ user: { username: 'alice' } });
      expect((await client.get('/api/cart')).body).toMatchObject({ totalQty: 2 });

      await client.post('/api/cart/add', { productId: 5, qty: 1 });
      reply = await client.post('/api/cart/update', { productId: 3, qty: 7 });
      expect(reply.body).toMatchObject({ totalQty: 8 });
      expect((await client.post('/api/cart/update', { productId: 4, qty: 1 })).status).toBe(404);
      reply = await client.post('/api/cart/update', { productId: 5, qty: 0 });
      expect(reply.body.items).toHaveLength(1);
      reply = await client.post('/api/cart/remove', { productId: 3 });
      expect(reply.body).toEqual({ items: [], totalQty: 0, total: 0 });

      const stale = client.clone();
      expect(await client.post('/api/logout')).toMatchObject({ status: 200, body: { ok: true } });
      expect(client.cookies.has('connect.sid')).toBe(false);
      expect((await stale.get('/api/me')).status).toBe(401);

      expect((await client.post('/api/register', { username: 'alice', password: 'another1' })).status).toBe(409);
    });
  });

  it.skipIf(storeOptions === null)(
    'known bug: concurrent adds to one cart all answer 200 and some are lost',
    async () => {
      await withApp({ ...storeOptions, lookupDelayMs: 20 }, async ({ url }) => {
        const finals: number[] = [];
        for (let round = 0; round < 5 && !finals.some((qty) => qty < 20); round++) {
          const client = await signedIn(url);
          const replies = await Promise.all(
            Array.from({ length: 20 }, () => client.post('/api/cart/add', { productId: 7, qty: 1 })),
          );
          expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(200));
          finals.push((await client.get('/api/cart')).body.totalQty);
        }
        // Each add saved the whole session it loaded, so the last one to finish wins.
        expect(Math.min(...finals)).toBeLessThan(20);
      });
    },
  );

  it.skipIf(storeOptions === null)(
    'known bug: a request in flight at logout saves the session back and the old cookie works again',
    async () => {
      await withApp({ ...storeOptions, lookupDelayMs: 100 }, async ({ url }) => {
        let revived = 0;
        for (let round = 0; round < 5 && revived === 0; round++) {
          const client = await signedIn(url);
          await client.post('/api/cart/add', { productId: 1, qty: 1 });
          await client.post('/api/cart/add', { productId: 2, qty: 1 });
          const oldCookie = client.clone();

          // The cart read looks up each line's price (2 x 100 ms), and resave: true saves its copy when it ends.
          const slowRead = client.get('/api/cart');
          await new Promise((resolve) => setTimeout(resolve, 50));
          expect((await client.post('/api/logout')).status).toBe(200);
          // Clones: a request without a live session is handed a new cookie, which would replace the old one.
          expect((await oldCookie.clone().get('/api/me')).status).toBe(401);
          expect((await slowRead).status).toBe(200);

          if ((await oldCookie.clone().get('/api/me')).status === 200) revived++;
        }
        expect(revived).toBeGreaterThan(0);
      });
    },
  );
});
