import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ReferenceServer } from '../../server/index.ts';
import type { PostgresStore } from '../../server/stores/postgres.ts';
import { HttpClient, type Reply } from '../support/http-client.ts';
import { postgresFixture } from './postgres-fixture.ts';

/** The reference server on PostgreSQL over loopback HTTP: the flows that cross several store operations. */
const fixture = await postgresFixture();

function ok<T>(reply: Reply<T>, status = 200): T {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply.body;
}

describe.skipIf(fixture.url === null)('reference server on PostgreSQL', () => {
  let store: PostgresStore;
  let server: ReferenceServer;
  let url: string;

  beforeAll(async () => {
    store = await fixture.open();
    server = await createServer({
      store,
      config: { testControls: true, logLevel: 'silent', seedUsers: 2, sweepIntervalMs: 0, idleTimeoutMs: 60_000 },
    });
    url = await server.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await server?.close();
    await fixture.release();
  });

  it('bearer tokens: refresh rotation, orders with an idempotency key, wishlist, logout-all', async () => {
    const login = ok(
      await new HttpClient(url).post('/auth/login', { email: 'user1@example.test', password: 'sessionproof' }),
    );
    const api = new HttpClient(url);
    api.headers['authorization'] = `Bearer ${login.accessToken}`;

    ok(await api.post('/cart/items', { sku: 'SKU-0002', quantity: 2 }));
    ok(await api.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }));
    const order = ok(await api.post('/orders', {}, { headers: { 'idempotency-key': 'k-1' } }), 201);
    expect(order.items).toEqual([
      { sku: 'SKU-0001', quantity: 1 },
      { sku: 'SKU-0002', quantity: 2 },
    ]);
    const replay = await api.post('/orders', {}, { headers: { 'idempotency-key': 'k-1' } });
    expect(ok(replay, 201)).toEqual(order);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(
      ok(await api.post('/orders', { note: 'other' }, { headers: { 'idempotency-key': 'k-1' } }), 409),
    ).toMatchObject({
      error: { code: 'IDEMPOTENCY_CONFLICT' },
    });
    expect(ok(await api.get('/orders')).orders).toEqual([order]);
    expect(ok(await api.get('/cart')).items).toEqual([]);

    ok(await api.put('/wishlist/items/SKU-0003'));
    expect(ok(await api.get('/wishlist')).items).toMatchObject([{ productId: 'SKU-0003' }]);

    const refreshed = ok(await api.post('/auth/refresh', { refreshToken: login.refreshToken }));
    const again = ok(await api.post('/auth/refresh', { refreshToken: refreshed.refreshToken }));
    expect(again.refreshToken).not.toBe(refreshed.refreshToken);

    const second = ok(
      await new HttpClient(url).post('/auth/login', { email: 'user1@example.test', password: 'sessionproof' }),
    );
    api.headers['authorization'] = `Bearer ${again.accessToken}`;
    expect(ok(await api.get('/sessions')).sessions).toHaveLength(2);
    ok(await api.post('/auth/logout-all'), 204);
    expect(ok(await api.get('/cart'), 401)).toMatchObject({ error: { code: 'AUTH_SESSION_ENDED' } });
    const other = new HttpClient(url);
    other.headers['authorization'] = `Bearer ${second.accessToken}`;
    expect((await other.get('/cart')).status).toBe(401);
    expect(
      ok(await new HttpClient(url).post('/auth/refresh', { refreshToken: second.refreshToken }), 401),
    ).toMatchObject({
      error: { code: 'REFRESH_TOKEN_INVALID' },
    });
  });

  it('the sweep control removes expired guest sessions with their carts, and stats count it', async () => {
    const control = new HttpClient(url);
    ok(await control.post('/__control/reset'), 204);
    const guests = Array.from({ length: 3 }, () => new HttpClient(url));
    for (const guest of guests) {
      guest.headers['x-csrf-token'] = ok(await guest.get('/session')).csrfToken;
      ok(await guest.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }));
    }
    ok(await control.post('/__control/clock', { advanceMs: 25 * 60 * 60 * 1000 }));
    expect(ok(await control.get('/sessions/stats'))).toMatchObject({ live: 0, expiredAwaitingSweep: 3 });
    expect(ok(await control.post('/__control/sweep')).removed).toEqual({ sessions: 3, carts: 3, refreshFamilies: 0 });
    expect(ok(await control.get('/sessions/stats'))).toMatchObject({ live: 0, expiredAwaitingSweep: 0, swept: 3 });
  });
});
