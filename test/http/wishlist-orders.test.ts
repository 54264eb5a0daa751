import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpClient } from '../support/http-client.ts';
import { bearer, expectError, signIn, startServer, visit, type TestServer } from './fixture.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

describe('wishlist', () => {
  it('PUT adds once, DELETE removes, GET lists sorted by product id with addedAt', async () => {
    const client = t.client();
    await signIn(client);
    expect((await client.get('/wishlist')).body).toEqual({ items: [] });
    const now = (await client.get('/__control/clock')).body.now;
    expect((await client.put('/wishlist/items/SKU-0009')).status).toBe(200);
    const added = await client.put('/wishlist/items/SKU-0003');
    expect(added.body).toEqual({
      items: [
        { productId: 'SKU-0003', addedAt: expect.any(Number) },
        { productId: 'SKU-0009', addedAt: expect.any(Number) },
      ],
    });
    expect(added.body.items[0].addedAt).toBeGreaterThanOrEqual(now);
    const again = await client.put('/wishlist/items/SKU-0003');
    expect(again.body).toEqual(added.body);
    const removed = await client.delete('/wishlist/items/SKU-0009');
    expect(removed.body).toEqual({ items: [added.body.items[0]] });
    expect((await client.get('/wishlist')).body).toEqual(removed.body);
    expect((await client.delete('/wishlist/items/SKU-0009')).body).toEqual(removed.body);
  });

  it("belongs to the user: shared by the user's sessions, apart from other users", async () => {
    const a1 = t.client();
    const login = await signIn(a1);
    const other = t.client();
    await signIn(other, 'user2@example.test');
    await a1.put('/wishlist/items/SKU-0001');
    expect((await bearer(t, login.accessToken).get('/wishlist')).body.items).toHaveLength(1);
    expect((await other.get('/wishlist')).body).toEqual({ items: [] });
    await a1.post('/auth/logout');
    const a2 = t.client();
    await signIn(a2);
    expect((await a2.get('/wishlist')).body.items.map((item: { productId: string }) => item.productId)).toEqual([
      'SKU-0001',
    ]);
  });

  it('needs a signed-in user', async () => {
    const client = t.client();
    await visit(client);
    expectError(await client.get('/wishlist'), 401, 'AUTH_REQUIRED');
    expectError(await client.put('/wishlist/items/SKU-0001'), 401, 'AUTH_REQUIRED');
    expectError(await client.delete('/wishlist/items/SKU-0001'), 401, 'AUTH_REQUIRED');
  });
});

async function fill(client: HttpClient, lines: Record<string, number>) {
  for (const [sku, quantity] of Object.entries(lines)) await client.post('/cart/items', { sku, quantity });
}

describe('orders', () => {
  it('POST /orders turns the cart into an order and empties it; GET /orders lists it', async () => {
    const client = t.client();
    await signIn(client);
    await fill(client, { 'SKU-0002': 1, 'SKU-0001': 3 });
    const cart = (await client.get('/cart')).body;
    const now = (await client.get('/__control/clock')).body.now;
    const reply = await client.post('/orders', {});
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: expect.any(String),
      items: [
        { sku: 'SKU-0001', quantity: 3 },
        { sku: 'SKU-0002', quantity: 1 },
      ],
      createdAt: expect.any(Number),
    });
    expect(reply.body.createdAt).toBeGreaterThanOrEqual(now);
    expect((await client.get('/cart')).body).toEqual({ ...cart, items: [], version: cart.version + 1 });
    expect((await client.get('/orders')).body).toEqual({ orders: [reply.body] });
  });

  it('an Idempotency-Key replay returns the same order and places nothing twice', async () => {
    const client = t.client();
    await signIn(client);
    await fill(client, { 'SKU-0001': 1 });
    const headers = { 'idempotency-key': 'order-1' };
    const first = await client.post('/orders', { note: 'a' }, { headers });
    expect(first.status).toBe(201);
    await fill(client, { 'SKU-0005': 1 });
    const replay = await client.post('/orders', { note: 'a' }, { headers });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect((await client.get('/orders')).body.orders).toHaveLength(1);
    expect((await client.get('/cart')).body.items).toEqual([{ sku: 'SKU-0005', quantity: 1 }]);
  });

  it('concurrent retries with one key place one order', async () => {
    const client = t.client();
    await signIn(client);
    await fill(client, { 'SKU-0001': 2 });
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => client.post('/orders', {}, { headers: { 'idempotency-key': 'k' } })),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(201));
    expect(new Set(replies.map((reply) => reply.body.id)).size).toBe(1);
    expect((await client.get('/orders')).body.orders).toHaveLength(1);
  });

  it('a retry with the same fields in another order is the same request', async () => {
    const client = t.client();
    await signIn(client);
    await fill(client, { 'SKU-0001': 1 });
    const first = await client.post(
      '/orders',
      { note: 'gift', giftWrap: true },
      { headers: { 'idempotency-key': 'order-3' } },
    );
    const retry = await client.post(
      '/orders',
      { giftWrap: true, note: 'gift' },
      { headers: { 'idempotency-key': 'order-3' } },
    );
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
  });

  it('the same key with a different body is 409 IDEMPOTENCY_CONFLICT and changes nothing', async () => {
    const client = t.client();
    await signIn(client);
    await fill(client, { 'SKU-0001': 1 });
    await client.post('/orders', { note: 'a' }, { headers: { 'idempotency-key': 'order-2' } });
    await fill(client, { 'SKU-0002': 1 });
    const cart = (await client.get('/cart')).body;
    expectError(
      await client.post('/orders', { note: 'b' }, { headers: { 'idempotency-key': 'order-2' } }),
      409,
      'IDEMPOTENCY_CONFLICT',
    );
    expect((await client.get('/cart')).body).toEqual(cart);
    expect((await client.get('/orders')).body.orders).toHaveLength(1);
  });

  it('idempotency keys are per user', async () => {
    const [a, b] = [t.client(), t.client()];
    await signIn(a);
    await signIn(b, 'user2@example.test');
    await fill(a, { 'SKU-0001': 1 });
    await fill(b, { 'SKU-0002': 1 });
    const headers = { 'idempotency-key': 'shared' };
    const fromA = await a.post('/orders', {}, { headers });
    const fromB = await b.post('/orders', {}, { headers });
    expect(fromB.status).toBe(201);
    expect(fromB.body.id).not.toBe(fromA.body.id);
    expect(fromB.body.items).toEqual([{ sku: 'SKU-0002', quantity: 1 }]);
  });

  it('an empty cart is 409 CART_EMPTY', async () => {
    const client = t.client();
    await signIn(client);
    expectError(await client.post('/orders', {}), 409, 'CART_EMPTY');
    expectError(await client.post('/orders', {}, { headers: { 'idempotency-key': 'x' } }), 409, 'CART_EMPTY');
    expect((await client.get('/orders')).body).toEqual({ orders: [] });
  });

  it('checkout is atomic: racing checkouts place one order, racing adds end up in the order or the cart', async () => {
    const client = t.client();
    await signIn(client);
    await fill(client, { 'SKU-0001': 1 });
    const adds = Array.from({ length: 20 }, () => client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }));
    const checkouts = Array.from({ length: 5 }, () => client.post('/orders', {}));
    const [addReplies, checkoutReplies] = await Promise.all([Promise.all(adds), Promise.all(checkouts)]);
    expect(addReplies.every((reply) => reply.status === 200)).toBe(true);
    const placed = checkoutReplies.filter((reply) => reply.status === 201);
    for (const reply of checkoutReplies.filter((r) => r.status !== 201)) expectError(reply, 409, 'CART_EMPTY');
    const orders = (await client.get('/orders')).body.orders as { items: { quantity: number }[] }[];
    expect(orders).toHaveLength(placed.length);
    const ordered = orders.flatMap((order) => order.items).reduce((sum, line) => sum + line.quantity, 0);
    const left = ((await client.get('/cart')).body.items as { quantity: number }[]).reduce(
      (sum, line) => sum + line.quantity,
      0,
    );
    expect(ordered + left).toBe(21);
  });

  it('needs a signed-in user', async () => {
    const client = t.client();
    await visit(client);
    await fill(client, { 'SKU-0001': 1 });
    expectError(await client.post('/orders', {}), 401, 'AUTH_REQUIRED');
    expectError(await client.get('/orders'), 401, 'AUTH_REQUIRED');
    expect((await client.get('/cart')).body.items).toHaveLength(1);
  });
});
