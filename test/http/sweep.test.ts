import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpClient } from '../support/http-client.ts';
import { expectError, minute, signIn, startServer, visit, type TestServer } from './fixture.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

async function guest(withCart: boolean): Promise<{ client: HttpClient; id: string }> {
  const client = t.client();
  const { id } = await visit(client);
  if (withCart) expect((await client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 })).status).toBe(200);
  return { client, id };
}

const stats = async () => (await t.client().get('/sessions/stats')).body;

describe('POST /__control/sweep', () => {
  it('removes expired sessions with their guest carts and refresh families, and no live one', async () => {
    const oldGuestWithCart = await guest(true);
    const oldGuest = await guest(false);
    const expiringUser = t.client();
    const expiring = await signIn(expiringUser);
    await expiringUser.post('/cart/items', { sku: 'SKU-0002', quantity: 2 });

    await t.advance(20 * minute);
    const liveUser = t.client();
    const live = await signIn(liveUser, 'user2@example.test');
    const liveGuest = await guest(true);
    expect(await stats()).toMatchObject({ live: 4, expiredAwaitingSweep: 1 });

    expect(await t.sweep()).toEqual({ sessions: 1, carts: 0, refreshFamilies: 1 });
    expect(await stats()).toMatchObject({ live: 4, expiredAwaitingSweep: 0, swept: 1 });
    expect((await liveUser.get('/session')).body.id).toBe(live.session.id);
    expect((await t.client().post('/auth/refresh', { refreshToken: live.refreshToken })).status).toBe(200);
    expect((await liveGuest.client.get('/session')).body.id).toBe(liveGuest.id);
    expect(await stats()).toMatchObject({ live: 4, expiredAwaitingSweep: 0 });
    expectError(
      await t.client().post('/auth/refresh', { refreshToken: expiring.refreshToken }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
    // The user's cart is the user's, not the session's: it outlives the swept session.
    const again = t.client();
    await signIn(again);
    expect((await again.get('/cart')).body.items).toEqual([{ sku: 'SKU-0002', quantity: 2 }]);
    expect(await t.sweep()).toEqual({ sessions: 0, carts: 0, refreshFamilies: 0 });

    // Just past 24 h after the first guests were last seen, and well past the user sessions' idle timeout.
    await t.advance(24 * 60 * minute - 20 * minute + 1000);
    await liveGuest.client.get('/session');
    expect(await stats()).toMatchObject({ live: 1, expiredAwaitingSweep: 4 });
    expect(await t.sweep()).toEqual({ sessions: 4, carts: 1, refreshFamilies: 2 });
    expect(await stats()).toMatchObject({ live: 1, expiredAwaitingSweep: 0, swept: 5 });
    expect((await liveGuest.client.get('/session')).body.id).toBe(liveGuest.id);
    expect((await liveGuest.client.get('/cart')).body.items).toEqual([{ sku: 'SKU-0001', quantity: 1 }]);
    for (const { client, id } of [oldGuestWithCart, oldGuest]) {
      expect((await client.get('/session')).body.id).not.toBe(id);
      expect((await client.get('/cart')).body.items).toEqual([]);
    }
  });

  it('sessions ended by logout are not counted again by the sweep', async () => {
    const client = t.client();
    await signIn(client);
    await client.post('/auth/logout');
    await t.advance(16 * minute);
    expect(await t.sweep()).toEqual({ sessions: 0, carts: 0, refreshFamilies: 0 });
    expect(await stats()).toEqual({ live: 0, expiredAwaitingSweep: 0, created: 1, ended: 1, swept: 0 });
  });

  it("keeps the user's session list free of swept sessions", async () => {
    const old = t.client();
    await signIn(old);
    await t.advance(16 * minute);
    const current = t.client();
    const { session } = await signIn(current);
    await t.sweep();
    expect((await current.get('/sessions')).body.sessions).toEqual([
      { id: session.id, createdAt: session.createdAt, lastSeenAt: expect.any(Number), current: true },
    ]);
    expect((await current.post('/auth/logout-all')).status).toBe(204);
    expect(await stats()).toMatchObject({ live: 0, expiredAwaitingSweep: 0, ended: 1, swept: 1 });
  });
});
