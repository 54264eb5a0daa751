import { afterEach, describe, expect, it } from 'vitest';
import { faults } from '../../server/faults/index.ts';
import { createServer, type ReferenceServer } from '../../server/index.ts';
import { MemoryStore } from '../../server/stores/memory.ts';
import { HttpClient } from '../support/http-client.ts';

/**
 * Each catalogued fault must produce the symptom the catalogue describes, and the clean server must not: every
 * scenario runs on both. This checks the fault modules themselves; detecting faults without knowing which one is
 * on is the property suites' and the zoo's job.
 */
const password = 'sessionproof';
const minute = 60_000;

interface Cluster {
  instances: HttpClient[];
  client(instance?: number): HttpClient;
  control: HttpClient;
}

const running: ReferenceServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function cluster(faultIds: string[], instances = 1): Promise<Cluster> {
  const store = new MemoryStore();
  const urls: string[] = [];
  for (let i = 0; i < instances; i++) {
    const server = await createServer({
      store,
      faults: faultIds,
      config: { testControls: true, logLevel: 'silent', seedUsers: 3, sweepIntervalMs: 0, passwordCost: 1024 },
    });
    running.push(server);
    urls.push(await server.listen(0, '127.0.0.1'));
  }
  const clients = urls.map((url) => new HttpClient(url));
  return { instances: clients, client: (instance = 0) => new HttpClient(urls[instance]!), control: clients[0]! };
}

async function visit(client: HttpClient): Promise<any> {
  const { body } = await client.get('/session');
  client.headers['x-csrf-token'] = body.csrfToken;
  return body;
}

async function signIn(client: HttpClient, email = 'user1@example.test'): Promise<any> {
  const reply = await client.post('/auth/login', { email, password });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  client.headers['x-csrf-token'] = reply.body.session.csrfToken;
  return reply.body;
}

async function advance(c: Cluster, advanceMs: number): Promise<void> {
  await Promise.all(c.instances.map((instance) => instance.post('/__control/clock', { advanceMs })));
}

const quantityOf = (cart: any, sku: string) =>
  cart.items.filter((line: any) => line.sku === sku).reduce((sum: number, line: any) => sum + line.quantity, 0);

/** Resolves true when the catalogued symptom shows. */
const scenarios: Record<string, (c: Cluster) => Promise<boolean>> = {
  'cart-in-session': async (c) => {
    const client = c.client();
    await visit(client);
    await Promise.all(Array.from({ length: 20 }, () => client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 })));
    return quantityOf((await client.get('/cart')).body, 'SKU-0001') < 20;
  },
  'stale-save-on-read': async (c) => {
    // A read undoes an add only when the add lands inside the read's load-to-save window: a few rounds make that sure.
    for (let round = 0; round < 5; round++) {
      const client = c.client();
      await visit(client);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 ? client.get('/cart') : client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }),
        ),
      );
      if (quantityOf((await client.get('/cart')).body, 'SKU-0001') < 5) return true;
    }
    return false;
  },
  'resurrect-after-logout': async (c) => {
    const client = c.client();
    await signIn(client);
    const oldCookie = client.clone();
    await Promise.all([oldCookie.get('/cart'), client.post('/auth/logout')]);
    return (await oldCookie.get('/session')).body.user !== null;
  },
  'racy-cart-create': async (c) => {
    const client = c.client();
    await visit(client);
    const carts = await Promise.all(Array.from({ length: 4 }, () => client.get('/cart')));
    return new Set(carts.map((reply) => reply.body.id)).size > 1;
  },
  'session-id-per-request': async (c) => {
    const client = c.client();
    return (await visit(client)).id !== (await visit(client)).id;
  },
  'volatile-session-cache': async (c) => {
    const first = c.client();
    const { id } = await visit(first);
    for (let i = 0; i < 600; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => visit(c.client())));
    }
    return (await visit(first)).id !== id;
  },
  'permissive-session-id': async (c) => {
    const attacker = c.client();
    attacker.cookies.set('sp.sid', 'attacker-chosen-session-value');
    const victim = () => {
      const client = c.client();
      client.cookies.set('sp.sid', 'attacker-chosen-session-value');
      return client.get('/session');
    };
    return (await victim()).body.id === (await victim()).body.id;
  },
  'no-rotate-on-login': async (c) => {
    const client = c.client();
    const guest = await visit(client);
    return (await signIn(client)).session.id === guest.id;
  },
  'rotate-without-cookie': async (c) => {
    const client = c.client();
    await visit(client);
    await signIn(client);
    return (await client.get('/session')).body.user === null;
  },
  'no-absolute-timeout': async (c) => {
    const client = c.client();
    await signIn(client);
    for (let i = 0; i < 12; i++) {
      await advance(c, 14 * minute);
      await client.get('/session');
    }
    return (await client.get('/session')).body.user !== null;
  },
  'idle-not-enforced': async (c) => {
    const client = c.client();
    await signIn(client);
    await advance(c, 16 * minute);
    return (await client.get('/session')).body.user !== null;
  },
  'idle-from-last-write': async (c) => {
    const client = c.client();
    await signIn(client);
    await advance(c, 10 * minute);
    await client.get('/cart');
    await advance(c, 10 * minute);
    return (await client.get('/session')).body.user === null;
  },
  'logout-keeps-server-session': async (c) => {
    const client = c.client();
    await signIn(client);
    const oldCookie = client.clone();
    expect((await client.post('/auth/logout')).status).toBe(204);
    return (await oldCookie.get('/session')).body.user !== null;
  },
  'denylist-overflow-reset': async (c) => {
    const client = c.client();
    await signIn(client);
    const oldCookie = client.clone();
    await client.post('/auth/logout');
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const guest = c.client();
          await visit(guest);
          await guest.post('/auth/logout');
        }),
      );
    }
    return (await oldCookie.get('/session')).body.user !== null;
  },
  'process-local-denylist': async (c) => {
    const one = c.client(0);
    const { accessToken } = await signIn(one);
    await one.post('/auth/logout');
    const other = c.client(1);
    return (await other.get('/cart', { headers: { authorization: `Bearer ${accessToken}` } })).status === 200;
  },
  'logout-via-user-flag': async (c) => {
    const [phone, laptop] = [c.client(), c.client()];
    await signIn(phone);
    await signIn(laptop);
    await phone.post('/auth/logout');
    return (await laptop.get('/session')).body.user === null;
  },
  'stale-session-cache': async (c) => {
    const [phone, laptop] = [c.client(), c.client()];
    await signIn(phone);
    await signIn(laptop);
    await laptop.get('/session');
    await phone.post('/auth/logout-all');
    return (await laptop.get('/session')).body.user !== null;
  },
  'strict-refresh': async (c) => {
    const client = c.client();
    const { refreshToken } = await signIn(client);
    const replies = await Promise.all(Array.from({ length: 3 }, () => client.post('/auth/refresh', { refreshToken })));
    return replies.some((reply) => reply.status !== 200);
  },
  'reuse-revokes-all': async (c) => {
    const [phone, laptop] = [c.client(), c.client()];
    const { refreshToken } = await signIn(phone);
    await signIn(laptop);
    await phone.post('/auth/refresh', { refreshToken });
    await advance(c, 11_000);
    expect((await phone.post('/auth/refresh', { refreshToken })).body.error.code).toBe('REFRESH_TOKEN_REUSED');
    return (await laptop.get('/session')).body.user === null;
  },
  'loose-grace': async (c) => {
    const client = c.client();
    const first = (await signIn(client)).refreshToken;
    const second = (await client.post('/auth/refresh', { refreshToken: first })).body.refreshToken;
    await client.post('/auth/refresh', { refreshToken: second });
    return (await client.post('/auth/refresh', { refreshToken: first })).status === 200;
  },
  'merge-duplicate-lines': async (c) => {
    const before = c.client();
    await signIn(before);
    await before.post('/cart/items', { sku: 'SKU-0001', quantity: 1 });
    const client = c.client();
    await visit(client);
    await client.post('/cart/items', { sku: 'SKU-0001', quantity: 2 });
    await signIn(client);
    const skus = (await client.get('/cart')).body.items.map((line: any) => line.sku);
    return new Set(skus).size < skus.length;
  },
  'merge-not-idempotent': async (c) => {
    const client = c.client();
    await visit(client);
    await client.post('/cart/items', { sku: 'SKU-0002', quantity: 2 });
    await signIn(client);
    await client.get('/cart');
    return quantityOf((await client.get('/cart')).body, 'SKU-0002') > 2;
  },
  'merge-drops-guest': async (c) => {
    const client = c.client();
    await visit(client);
    await client.post('/cart/items', { sku: 'SKU-0003', quantity: 1 });
    await signIn(client);
    return quantityOf((await client.get('/cart')).body, 'SKU-0003') === 0;
  },
  'sweeper-misses-index': async (c) => {
    await signIn(c.client());
    await advance(c, 16 * minute);
    await c.control.post('/__control/sweep');
    return (await c.control.get('/sessions/stats')).body.live > 0;
  },
  'cross-session-leak': async (c) => {
    const clients = Array.from({ length: 10 }, () => c.client());
    await Promise.all(
      clients.map(async (client, i) => {
        await visit(client);
        await client.post('/cart/items', { sku: `SKU-000${i}`.replace('SKU-0000', 'SKU-0010'), quantity: 1 });
      }),
    );
    const carts = await Promise.all(clients.map((client) => client.get('/cart')));
    return carts.some((reply, i) => quantityOf(reply.body, `SKU-000${i}`.replace('SKU-0000', 'SKU-0010')) !== 1);
  },
  'csrf-not-bound': async (c) => {
    const [alice, mallory] = [c.client(), c.client()];
    const aliceToken = (await visit(alice)).csrfToken;
    await visit(mallory);
    const reply = await mallory.post(
      '/cart/items',
      { sku: 'SKU-0001', quantity: 1 },
      { headers: { 'x-csrf-token': aliceToken } },
    );
    return reply.status === 200;
  },
};

describe('every catalogued fault shows its symptom, and the clean server does not', () => {
  it('has a scenario for every fault', () => {
    expect(Object.keys(scenarios).sort()).toEqual(faults.map((fault) => fault.id).sort());
  });

  for (const fault of faults) {
    it(fault.id, async () => {
      const instances = fault.multiInstance ? 2 : 1;
      const scenario = scenarios[fault.id]!;
      expect(await scenario(await cluster([fault.id], instances)), 'symptom with the fault').toBe(true);
      expect(await scenario(await cluster([], instances)), 'symptom on the clean server').toBe(false);
    });
  }
});
