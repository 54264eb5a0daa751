import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GuestSessionEndedError } from '../../server/errors.ts';
import { decorateStore } from '../../server/faults/decorate-store.ts';
import { createServer } from '../../server/index.ts';
import { MemoryStore } from '../../server/stores/memory.ts';
import { guestSessionOf } from '../../server/stores/store.ts';
import { HttpClient } from '../support/http-client.ts';
import { bearer, expectError, signIn, startServer, visit, type TestServer } from './fixture.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

async function guestWith(lines: Record<string, number>, server = t): Promise<HttpClient> {
  const client = server.client();
  await visit(client);
  for (const [sku, quantity] of Object.entries(lines)) {
    expect((await client.post('/cart/items', { sku, quantity })).status).toBe(200);
  }
  return client;
}

describe('cart lines', () => {
  it('GET /cart answers the contract shape, empty at first', async () => {
    const client = t.client();
    const reply = await client.get('/cart');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ id: expect.any(String), owner: 'guest', items: [], version: 0 });
  });

  it('adds increment, set replaces, set 0 and delete remove; items sorted by sku; version counts writes', async () => {
    const client = await guestWith({});
    const { id } = (await client.get('/cart')).body;
    const steps: [() => Promise<{ status: number; body: any }>, [string, number][]][] = [
      [() => client.post('/cart/items', { sku: 'SKU-0009', quantity: 2 }), [['SKU-0009', 2]]],
      [
        () => client.post('/cart/items', { sku: 'SKU-0002', quantity: 1 }),
        [
          ['SKU-0002', 1],
          ['SKU-0009', 2],
        ],
      ],
      [
        () => client.post('/cart/items', { sku: 'SKU-0009', quantity: 3 }),
        [
          ['SKU-0002', 1],
          ['SKU-0009', 5],
        ],
      ],
      [
        () => client.put('/cart/items/SKU-0005', { quantity: 7 }),
        [
          ['SKU-0002', 1],
          ['SKU-0005', 7],
          ['SKU-0009', 5],
        ],
      ],
      [
        () => client.put('/cart/items/SKU-0009', { quantity: 1 }),
        [
          ['SKU-0002', 1],
          ['SKU-0005', 7],
          ['SKU-0009', 1],
        ],
      ],
      [
        () => client.put('/cart/items/SKU-0002', { quantity: 0 }),
        [
          ['SKU-0005', 7],
          ['SKU-0009', 1],
        ],
      ],
      [() => client.delete('/cart/items/SKU-0005'), [['SKU-0009', 1]]],
    ];
    let version = 0;
    for (const [write, expected] of steps) {
      const reply = await write();
      expect(reply.status).toBe(200);
      const cart = {
        id,
        owner: 'guest',
        items: expected.map(([sku, quantity]) => ({ sku, quantity })),
        version: ++version,
      };
      expect(reply.body).toEqual(cart);
      expect((await client.get('/cart')).body).toEqual(cart);
    }
  });

  it('N concurrent adds land exactly', async () => {
    const client = await guestWith({});
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.post('/cart/items', { sku: i % 2 ? 'SKU-0001' : 'SKU-0002', quantity: 3 }),
      ),
    );
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    expect((await client.get('/cart')).body).toMatchObject({
      items: [
        { sku: 'SKU-0001', quantity: 75 },
        { sku: 'SKU-0002', quantity: 75 },
      ],
      version: 50,
    });
    const versions = replies.map((reply) => reply.body.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('concurrent adds from several sessions of one user land in one cart', async () => {
    const devices = [t.client(), t.client(), t.client()];
    const logins = [];
    for (const device of devices) logins.push(await signIn(device));
    const writers = [...devices, ...logins.map((login) => bearer(t, login.accessToken))];
    await Promise.all(
      writers.flatMap((writer) =>
        Array.from({ length: 5 }, () => writer.post('/cart/items', { sku: 'SKU-0004', quantity: 2 })),
      ),
    );
    const carts = await Promise.all(writers.map((writer) => writer.get('/cart')));
    expect(new Set(carts.map((cart) => cart.body.id)).size).toBe(1);
    expect(carts[0]!.body.items).toEqual([{ sku: 'SKU-0004', quantity: 60 }]);
  });

  it('one cart per session however many first reads race', async () => {
    const client = t.client();
    await visit(client);
    const carts = await Promise.all(Array.from({ length: 20 }, () => client.get('/cart')));
    expect(new Set(carts.map((cart) => cart.body.id)).size).toBe(1);
    await client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 });
    expect((await client.get('/cart')).body.id).toBe(carts[0]!.body.id);
  });

  it('one cart per user however many first reads race', async () => {
    const login = await signIn(t.client());
    const api = bearer(t, login.accessToken);
    const carts = await Promise.all(Array.from({ length: 20 }, () => api.get('/cart')));
    expect(new Set(carts.map((cart) => cart.body.id)).size).toBe(1);
    expect(carts[0]!.body.owner).toBe('user');
  });

  it('carts are isolated between sessions and users', async () => {
    const a = await guestWith({ 'SKU-0001': 1 });
    const b = await guestWith({ 'SKU-0002': 2 });
    expect((await a.get('/cart')).body.items).toEqual([{ sku: 'SKU-0001', quantity: 1 }]);
    expect((await b.get('/cart')).body.items).toEqual([{ sku: 'SKU-0002', quantity: 2 }]);
    const u1 = t.client();
    const u2 = t.client();
    await signIn(u1);
    await signIn(u2, 'user2@example.test');
    await u1.post('/cart/items', { sku: 'SKU-0003', quantity: 3 });
    expect((await u2.get('/cart')).body.items).toEqual([]);
  });

  it("concurrent clients never receive each other's session or cart", async () => {
    const clients = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const client = t.client();
        const { id } = await visit(client);
        return { client, id, sku: `SKU-${String(i + 1).padStart(4, '0')}` };
      }),
    );
    await Promise.all(
      clients.map(async ({ client, id, sku }) => {
        for (let round = 1; round <= 3; round++) {
          const [added, view, cart] = await Promise.all([
            client.post('/cart/items', { sku, quantity: 1 }),
            client.get('/session'),
            client.get('/cart'),
          ]);
          expect(added.body.items.map((line: { sku: string }) => line.sku)).toEqual([sku]);
          expect(view.body.id).toBe(id);
          expect(cart.body.items.every((line: { sku: string }) => line.sku === sku)).toBe(true);
        }
      }),
    );
  });

  it('a write without a session is refused, not given a fresh session', async () => {
    const client = t.client();
    expectError(await client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }), 401, 'AUTH_SESSION_REQUIRED');
    expectError(await client.put('/cart/items/SKU-0001', { quantity: 1 }), 401, 'AUTH_SESSION_REQUIRED');
    expectError(await client.delete('/cart/items/SKU-0001'), 401, 'AUTH_SESSION_REQUIRED');
    expect(client.cookies.size).toBe(0);
    expect((await client.get('/sessions/stats')).body.created).toBe(0);
  });
});

describe('merge on login', () => {
  it('sums by SKU into the user cart, guest cart gone, never merged twice', async () => {
    const owner = t.client();
    await signIn(owner);
    await owner.post('/cart/items', { sku: 'SKU-0002', quantity: 5 });
    await owner.post('/cart/items', { sku: 'SKU-0003', quantity: 1 });
    const userCart = (await owner.get('/cart')).body;

    const client = await guestWith({ 'SKU-0001': 2, 'SKU-0002': 3 });
    const guest = (await client.get('/session')).body;
    const replay = client.clone();
    await signIn(client);
    const merged = (await client.get('/cart')).body;
    expect(merged).toEqual({
      id: userCart.id,
      owner: 'user',
      items: [
        { sku: 'SKU-0001', quantity: 2 },
        { sku: 'SKU-0002', quantity: 8 },
        { sku: 'SKU-0003', quantity: 1 },
      ],
      version: userCart.version + 1,
    });

    // The guest cart no longer exists in the store, and its session ended with the merge, so nothing can recreate it.
    await expect(t.server.services.store.getOrCreateCart(`guest:${guest.id}`, 'probe')).rejects.toBeInstanceOf(
      GuestSessionEndedError,
    );

    // Replaying the login (the old guest cookie), logging in again, or from an empty guest: nothing merges twice.
    await signIn(replay);
    await signIn(client);
    await signIn(await guestWith({}));
    expect((await owner.get('/cart')).body.items).toEqual(merged.items);
  });

  it('refuses a guest-cart write whose session a login ended mid-request with 401 AUTH_SESSION_REQUIRED, changing nothing', async () => {
    // The store sees the session end between the request resolving it and its cart write, as when another tab signs in.
    const inner = new MemoryStore();
    const store = decorateStore(inner, {
      addToCart: async (owner, newCartId, line, max) => {
        await inner.endSession(guestSessionOf(owner)!);
        return inner.addToCart(owner, newCartId, line, max);
      },
    });
    const server = await createServer({ config: { logLevel: 'silent', seedUsers: 0, sweepIntervalMs: 0 }, store });
    try {
      const client = new HttpClient(await server.listen(0, '127.0.0.1'));
      const guest = await visit(client);
      expectError(await client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }), 401, 'AUTH_SESSION_REQUIRED');
      await expect(inner.getOrCreateCart(`guest:${guest.id}`, 'probe')).rejects.toBeInstanceOf(GuestSessionEndedError);
      expect((await client.get('/cart')).body).toMatchObject({ owner: 'guest', items: [] });
    } finally {
      await server.close();
    }
  });

  it('caps each summed line at the per-line limit', async () => {
    const capped = await startServer({ maxLineQuantity: 10 });
    try {
      const owner = capped.client();
      await signIn(owner);
      await owner.post('/cart/items', { sku: 'SKU-0001', quantity: 6 });
      const client = await guestWith({ 'SKU-0001': 7, 'SKU-0002': 10 }, capped);
      await signIn(client);
      expect((await client.get('/cart')).body.items).toEqual([
        { sku: 'SKU-0001', quantity: 10 },
        { sku: 'SKU-0002', quantity: 10 },
      ]);
    } finally {
      await capped.close();
    }
  });

  it('a user with no cart yet gets the guest lines', async () => {
    const client = await guestWith({ 'SKU-0007': 4 });
    await signIn(client, 'user3@example.test');
    expect((await client.get('/cart')).body).toMatchObject({
      owner: 'user',
      items: [{ sku: 'SKU-0007', quantity: 4 }],
    });
  });

  const strategies = {
    max: [
      { sku: 'SKU-0001', quantity: 2 },
      { sku: 'SKU-0002', quantity: 5 },
      { sku: 'SKU-0003', quantity: 4 },
    ],
    replace: [
      { sku: 'SKU-0001', quantity: 2 },
      { sku: 'SKU-0002', quantity: 5 },
      { sku: 'SKU-0003', quantity: 1 },
    ],
    'keep-user': [
      { sku: 'SKU-0001', quantity: 2 },
      { sku: 'SKU-0002', quantity: 3 },
      { sku: 'SKU-0003', quantity: 4 },
    ],
  } as const;
  for (const [mergeStrategy, expected] of Object.entries(strategies)) {
    it(`mergeStrategy ${mergeStrategy} folds the guest cart by its rule`, async () => {
      const server = await startServer({ mergeStrategy: mergeStrategy as keyof typeof strategies });
      try {
        const owner = server.client();
        await signIn(owner);
        await owner.post('/cart/items', { sku: 'SKU-0002', quantity: 3 });
        await owner.post('/cart/items', { sku: 'SKU-0003', quantity: 4 });
        const client = await guestWith({ 'SKU-0001': 2, 'SKU-0002': 5, 'SKU-0003': 1 }, server);
        await signIn(client);
        expect((await client.get('/cart')).body.items).toEqual(expected);
        await signIn(client);
        expect((await owner.get('/cart')).body.items).toEqual(expected);
      } finally {
        await server.close();
      }
    });
  }
});
