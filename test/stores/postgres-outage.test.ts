import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ReferenceServer } from '../../server/index.ts';
import { PostgresStore } from '../../server/stores/postgres.ts';
import { HttpClient, type Reply } from '../support/http-client.ts';
import { findPostgresBin, PrivateCluster } from './postgres-cluster.ts';

/**
 * A real outage: the server's PostgreSQL (a private cluster, never the shared one) is stopped mid-run and started
 * again on the same port and data directory. Requests must fail fast with 503, the process must stay up, and every
 * write acknowledged before the outage must be there afterwards.
 */
const bin = await findPostgresBin();
const missing = 'no PostgreSQL server binaries under /usr/lib/postgresql to run a private cluster';
if (bin === null && process.env.SESSIONPROOF_REQUIRE_STORES === '1')
  throw new Error(`SESSIONPROOF_REQUIRE_STORES=1 but ${missing}`);
if (bin === null) console.warn(`[sessionproof] skipping the PostgreSQL outage test: ${missing}`);

const promptMs = 2000;

describe.skipIf(bin === null)('PostgreSQL outage', () => {
  let cluster: PrivateCluster;
  let store: PostgresStore;
  let server: ReferenceServer;
  let url: string;
  const idleErrors: Error[] = [];

  beforeAll(async () => {
    cluster = await PrivateCluster.create(bin!);
    await cluster.start();
    store = await PostgresStore.open({
      connectionString: cluster.url,
      connectTimeoutMs: 1000,
      statementTimeoutMs: 1500,
      onIdleError: (error) => idleErrors.push(error),
    });
    server = await createServer({ store, config: { logLevel: 'silent', seedUsers: 1, sweepIntervalMs: 0 } });
    url = await server.listen(0, '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await store?.close();
    await cluster?.destroy();
  });

  function ok<T>(reply: Reply<T>, status = 200): T {
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    return reply.body;
  }

  async function timed<T>(request: Promise<T>): Promise<{ reply: T; ms: number }> {
    const started = performance.now();
    const reply = await request;
    return { reply, ms: performance.now() - started };
  }

  async function healthy(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await new HttpClient(url).get('/health')).status !== 200) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('survives the shutdown killing idle pooled connections, and reconnects', async () => {
    const client = new HttpClient(url);
    for (const reply of await Promise.all(Array.from({ length: 5 }, () => client.get('/health')))) ok(reply);
    await cluster.stop();
    const deadline = Date.now() + 5000;
    while (idleErrors.length === 0) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(idleErrors[0]!.message).toMatch(/terminating connection/);
    expect((await client.get('/health')).status).toBe(503);
    await cluster.start();
    await healthy();
  }, 60_000);

  it('answers 503 promptly while PostgreSQL is down, stays up, and keeps every acknowledged write', async () => {
    const guest = new HttpClient(url);
    guest.headers['x-csrf-token'] = ok(await guest.get('/session')).csrfToken;
    const guestSessionId = ok(await guest.get('/session')).id;
    for (const [sku, quantity] of [
      ['SKU-0001', 2],
      ['SKU-0002', 5],
      ['SKU-0001', 1],
    ] as const) {
      ok(await guest.post('/cart/items', { sku, quantity }));
    }

    const user = new HttpClient(url);
    const login = ok(await user.post('/auth/login', { email: 'user1@example.test', password: 'sessionproof' }));
    user.headers['x-csrf-token'] = login.session.csrfToken;
    ok(await user.post('/cart/items', { sku: 'SKU-0003', quantity: 4 }));
    const order = ok(await user.post('/orders', {}, { headers: { 'idempotency-key': 'before-outage' } }), 201);
    ok(await user.post('/cart/items', { sku: 'SKU-0004', quantity: 7 }));

    // Adds keep coming while the server goes down: each one acknowledged must survive; one whose reply was lost may
    // or may not have committed.
    const writer = new HttpClient(url);
    writer.headers['x-csrf-token'] = ok(await writer.get('/session')).csrfToken;
    let writing = true;
    let acknowledged = 0;
    let attempted = 0;
    const writes = (async () => {
      for (let i = 0; i < 2000 && writing; i++) {
        attempted++;
        const reply = await writer.post('/cart/items', { sku: 'SKU-0005', quantity: 1 });
        if (reply.status === 200) acknowledged++;
        else expect(reply.body.error.code).toBe('STORE_UNAVAILABLE');
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await cluster.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    writing = false;
    await writes;
    expect(acknowledged).toBeGreaterThan(0);

    const downRequests = [
      () => guest.get('/cart'),
      () => guest.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }),
      () => guest.get('/session'),
      () => user.get('/orders'),
      () => user.post('/orders', {}, { headers: { 'idempotency-key': 'during-outage' } }),
      () => new HttpClient(url).post('/auth/login', { email: 'user1@example.test', password: 'sessionproof' }),
    ];
    for (const request of downRequests) {
      const { reply, ms } = await timed(request());
      expect(reply.status, JSON.stringify(reply.body)).toBe(503);
      expect(reply.body.error.code).toBe('STORE_UNAVAILABLE');
      expect(ms).toBeLessThan(promptMs);
    }
    const { reply: health, ms: healthMs } = await timed(guest.get('/health'));
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable', store: { kind: 'postgres', reachable: false } });
    expect(healthMs).toBeLessThan(promptMs);

    await cluster.start();
    await healthy();

    expect(ok(await guest.get('/session')).id).toBe(guestSessionId);
    expect(ok(await guest.get('/cart')).items).toEqual([
      { sku: 'SKU-0001', quantity: 3 },
      { sku: 'SKU-0002', quantity: 5 },
    ]);
    expect(ok(await user.get('/orders')).orders).toEqual([order]);
    expect(ok(await user.get('/cart')).items).toEqual([{ sku: 'SKU-0004', quantity: 7 }]);
    const written = ok(await writer.get('/cart')).items.find((line: { sku: string }) => line.sku === 'SKU-0005');
    expect(written?.quantity ?? 0).toBeGreaterThanOrEqual(acknowledged);
    expect(written?.quantity ?? 0).toBeLessThanOrEqual(attempted);
    ok(await guest.post('/cart/items', { sku: 'SKU-0002', quantity: 1 }));
    expect(ok(await user.post('/orders', {}, { headers: { 'idempotency-key': 'before-outage' } }), 201)).toEqual(order);
  }, 90_000);
});
