import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpClient } from '../support/http-client.ts';
import { bearer, expectError, minute, sessionState, signIn, startServer, visit, type TestServer } from './fixture.ts';

const cookieKey = 'session-test-cookie-key';
let t: TestServer;
beforeAll(async () => {
  t = await startServer({ cookieKeys: [cookieKey] });
});
beforeEach(() => t.reset());
afterAll(() => t.close());

/** The cookie signature koa's `cookies` computes (keygrip: HMAC-SHA1, base64url without padding). */
function sign(name: string, value: string, key = cookieKey): string {
  return createHmac('sha1', key).update(`${name}=${value}`).digest('base64url');
}

/** A client holding exactly the given session cookie. */
function withCookie(value: string, signature: string | null = sign('sp.sid', value)): HttpClient {
  const client = t.client();
  client.cookies.set('sp.sid', value);
  if (signature !== null) client.cookies.set('sp.sid.sig', signature);
  return client;
}

describe('GET /session', () => {
  it('creates a guest session with the contract shape and a signed HttpOnly SameSite=Lax cookie', async () => {
    const client = t.client();
    const reply = await client.get('/session');
    expect(reply.status).toBe(200);
    const now = (await client.get('/__control/clock')).body.now;
    expect(reply.body).toEqual({
      id: expect.any(String),
      user: null,
      csrfToken: expect.any(String),
      createdAt: expect.any(Number),
      idleExpiresAt: expect.any(Number),
      absoluteExpiresAt: null,
    });
    expect(reply.body.createdAt).toBeLessThanOrEqual(now);
    expect(reply.body.idleExpiresAt - reply.body.createdAt).toBe(24 * 60 * minute);
    const setCookie = reply.headers
      .getSetCookie()
      .filter((line) => line.startsWith('sp.sid=') && !line.startsWith('sp.sid=;'));
    expect(setCookie.at(-1)).toMatch(/; httponly/i);
    expect(setCookie.at(-1)).toMatch(/; samesite=lax/i);
    expect(client.cookies.has('sp.sid.sig')).toBe(true);
  });

  it('marks the cookie Secure outside dev (behind a TLS-terminating proxy)', async () => {
    const production = await startServer({
      dev: false,
      cookieKeys: [randomBytes(32).toString('base64')],
      jwtSecret: randomBytes(32).toString('base64'),
    });
    try {
      const reply = await production.client().get('/session', { headers: { 'x-forwarded-proto': 'https' } });
      expect(reply.status).toBe(200);
      const cookies = reply.headers.getSetCookie().filter((line) => line.startsWith('sp.sid'));
      expect(cookies.length).toBeGreaterThan(0);
      for (const line of cookies) expect(line).toMatch(/; secure/i);
      const plain = await production.client().get('/session');
      expect(plain.status).toBe(403);
      expect(plain.body.error.code).toBe('HTTPS_REQUIRED');
      expect((await production.client().get('/health')).status).toBe(200);
    } finally {
      await production.close();
    }
  });

  it('keeps the guest id stable across requests, before and after the session holds data', async () => {
    const client = t.client();
    const first = await visit(client);
    const again = await client.get('/session');
    expect(again.body.id).toBe(first.id);
    expect((await client.get('/cart')).status).toBe(200);
    expect((await client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await client.get('/session')).body.id).toBe(first.id);
    expect((await client.get('/cart')).body.items).toEqual([{ sku: 'SKU-0001', quantity: 1 }]);
  });

  it('keeps the signed-in id stable across requests until something rotates it', async () => {
    const client = t.client();
    const { session } = await signIn(client);
    for (let i = 0; i < 3; i++)
      expect(sessionState((await client.get('/session')).body)).toEqual(sessionState(session));
  });

  it('keeps the id and the data while a thousand other clients come and go', async () => {
    const client = t.client();
    const guest = await visit(client);
    await client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 });
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 50 }, () => t.client().get('/session')));
    }
    expect((await client.get('/sessions/stats')).body.live).toBe(1001);
    expect((await client.get('/session')).body.id).toBe(guest.id);
    expect((await client.get('/cart')).body.items).toEqual([{ sku: 'SKU-0001', quantity: 1 }]);
  });

  it('gives each new client its own session', async () => {
    const a = await visit(t.client());
    const b = await visit(t.client());
    expect(a.id).not.toBe(b.id);
    expect(a.csrfToken).not.toBe(b.csrfToken);
  });

  it('holds the cookie secret apart from the public id: distinct, >= 128 bits, never shown', async () => {
    const secrets = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const client = t.client();
      const view = await visit(client);
      const secret = client.cookies.get('sp.sid')!;
      secrets.add(secret);
      expect(Buffer.from(secret, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
      expect(secret).not.toBe(view.id);
      expect(secret).not.toContain(view.id);
      expect(view.id).not.toContain(secret);
      expect(JSON.stringify(view)).not.toContain(secret);
      const login = await signIn(client);
      const signedInSecret = client.cookies.get('sp.sid')!;
      expect(Buffer.from(signedInSecret, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
      expect(signedInSecret).not.toBe(login.session.id);
      expect(JSON.stringify(login)).not.toContain(signedInSecret);
      expect(JSON.stringify((await client.get('/sessions')).body)).not.toContain(signedInSecret);
      secrets.add(signedInSecret);
    }
    expect(secrets.size).toBe(10);
  });
});

describe('strict mode: a session id the server never issued is never adopted', () => {
  for (const [name, signed] of [
    ['signed', true],
    ['unsigned', false],
  ] as const) {
    it(`a made-up ${name} cookie gets a fresh session under a new secret`, async () => {
      const madeUp = 'attacker-chosen-session-secret-0123456789';
      const client = withCookie(madeUp, signed ? undefined : null);
      const first = await client.get('/session');
      expect(first.status).toBe(200);
      expect(first.body.user).toBeNull();
      expect(client.cookies.get('sp.sid')).not.toBe(madeUp);

      // Presenting the made-up cookie again never reaches the session just created: it was never adopted.
      const replay = withCookie(madeUp, signed ? undefined : null);
      const second = await replay.get('/session');
      expect(second.body.id).not.toBe(first.body.id);
      expectError(
        await withCookie(madeUp, signed ? undefined : null).post(
          '/cart/items',
          { sku: 'SKU-0001', quantity: 1 },
          {
            headers: { 'x-csrf-token': first.body.csrfToken },
          },
        ),
        401,
        'AUTH_SESSION_REQUIRED',
      );
    });
  }

  it("another session's public id used as a cookie is not that session", async () => {
    const victim = t.client();
    const view = await visit(victim);
    await victim.post('/cart/items', { sku: 'SKU-0002', quantity: 3 });
    const attacker = withCookie(view.id);
    const reply = await attacker.get('/session');
    expect(reply.body.id).not.toBe(view.id);
    expect((await attacker.get('/cart')).body.items).toEqual([]);
  });
});

describe('rotation on login', () => {
  it('issues a new id and a new secret, and the pre-login cookie is no longer signed in', async () => {
    const client = t.client();
    const guest = await visit(client);
    const guestCookie = client.clone();
    const guestSecret = client.cookies.get('sp.sid');
    const login = await signIn(client);
    expect(login.session.id).not.toBe(guest.id);
    expect(login.session.csrfToken).not.toBe(guest.csrfToken);
    expect(client.cookies.get('sp.sid')).not.toBe(guestSecret);
    expect((await client.get('/session')).body).toMatchObject({
      id: login.session.id,
      user: { email: 'user1@example.test' },
    });

    const old = await guestCookie.get('/session');
    expect(old.body.user).toBeNull();
    expect(old.body.id).not.toBe(guest.id);
    expect(old.body.id).not.toBe(login.session.id);
  });

  it('logging in again from a signed-in session rotates again and ends the previous one', async () => {
    const client = t.client();
    const first = await signIn(client);
    const before = client.clone();
    const second = await signIn(client, 'user2@example.test');
    expect(second.session.id).not.toBe(first.session.id);
    expect((await client.get('/session')).body.user.email).toBe('user2@example.test');
    expect((await before.get('/session')).body.user).toBeNull();
  });

  it('answers login with the user, the session, tokens and their expiry', async () => {
    const client = t.client();
    const login = await signIn(client);
    const now = (await client.get('/__control/clock')).body.now;
    expect(login).toEqual({
      user: { id: expect.any(String), email: 'user1@example.test' },
      session: {
        id: expect.any(String),
        user: { id: login.user.id, email: 'user1@example.test' },
        csrfToken: expect.any(String),
        createdAt: expect.any(Number),
        idleExpiresAt: login.session.createdAt + 15 * minute,
        absoluteExpiresAt: login.session.createdAt + 160 * minute,
      },
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refreshToken: expect.any(String),
      accessTokenExpiresAt: expect.any(Number),
    });
    expect(Math.abs(login.accessTokenExpiresAt - (now + 30 * minute))).toBeLessThan(2000);
    expect(sessionState((await client.get('/session')).body)).toEqual(sessionState(login.session));
  });

  it('refuses wrong credentials and leaves the guest session as it was', async () => {
    const client = t.client();
    const guest = await visit(client);
    expectError(
      await client.post('/auth/login', { email: 'user1@example.test', password: 'wrong' }),
      401,
      'AUTH_INVALID_CREDENTIALS',
    );
    expectError(
      await client.post('/auth/login', { email: 'nobody@example.test', password: 'x' }),
      401,
      'AUTH_INVALID_CREDENTIALS',
    );
    expect(sessionState((await client.get('/session')).body)).toEqual(sessionState(guest));
  });
});

describe('timeouts on the server clock', () => {
  it('a signed-in session ends after 15 idle minutes, not before', async () => {
    const client = t.client();
    const { session } = await signIn(client);
    await t.advance(15 * minute - 1000);
    expect((await client.get('/session')).body.id).toBe(session.id);
    await t.advance(15 * minute - 1000);
    expect((await client.get('/session')).body.id).toBe(session.id);
    await t.advance(15 * minute);
    const after = await client.get('/session');
    expect(after.body.id).not.toBe(session.id);
    expect(after.body.user).toBeNull();
  });

  it('reads move the idle timer', async () => {
    const client = t.client();
    const { session } = await signIn(client);
    for (const read of ['/cart', '/sessions', '/wishlist', '/orders', '/session']) {
      await t.advance(10 * minute);
      const reply = await client.get(read);
      expect(reply.status, read).toBe(200);
    }
    const now = (await client.get('/__control/clock')).body.now;
    const view = (await client.get('/session')).body;
    expect(view.id).toBe(session.id);
    // The last read inside the touch window did not move it: the expiry lags the read by at most the window.
    const { touchWindowMs } = (await client.get('/.well-known/sessionproof')).body.timeouts;
    expect(touchWindowMs).toBe(9000);
    expect(view.idleExpiresAt).toBeGreaterThanOrEqual(now + 15 * minute - touchWindowMs);
  });

  it('a signed-in session ends 160 minutes after login however active it is', async () => {
    const client = t.client();
    const { session } = await signIn(client);
    for (let elapsed = 10; elapsed < 160; elapsed += 10) {
      await t.advance(10 * minute);
      expect((await client.get('/session')).body.id, `at ${elapsed} min`).toBe(session.id);
    }
    await t.advance(10 * minute);
    const after = await client.get('/session');
    expect(after.body.id).not.toBe(session.id);
    expect(after.body.user).toBeNull();
  });

  it('a guest session lives 24 idle hours, not 15 minutes', async () => {
    const client = t.client();
    const guest = await visit(client);
    await client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 });
    await t.advance(60 * minute);
    expect((await client.get('/session')).body.id).toBe(guest.id);
    await t.advance(24 * 60 * minute - 1000);
    expect((await client.get('/session')).body.id).toBe(guest.id);
    expect((await client.get('/cart')).body.items).toHaveLength(1);
    await t.advance(24 * 60 * minute);
    const after = await client.get('/session');
    expect(after.body.id).not.toBe(guest.id);
    expect((await client.get('/cart')).body.items).toEqual([]);
  });

  it('an expired cookie cannot write', async () => {
    const client = t.client();
    await signIn(client);
    await t.advance(16 * minute);
    expectError(await client.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }), 401, 'AUTH_SESSION_REQUIRED');
  });
});

describe('logout, logout-all and ending sessions', () => {
  it('POST /auth/logout ends the session, expires the cookie and revokes its tokens', async () => {
    const client = t.client();
    const login = await signIn(client);
    const [oldCookie, oldWriter] = [client.clone(), client.clone()];
    const reply = await client.post('/auth/logout');
    expect(reply.status).toBe(204);
    expect(reply.body).toBe('');
    expect(client.cookies.has('sp.sid')).toBe(false);

    const replay = await oldCookie.get('/session');
    expect(replay.body.user).toBeNull();
    expect(replay.body.id).not.toBe(login.session.id);
    expectError(await oldWriter.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }), 401, 'AUTH_SESSION_REQUIRED');
    expectError(await bearer(t, login.accessToken).get('/session'), 401, 'AUTH_SESSION_ENDED');
    expectError(
      await t.client().post('/auth/refresh', { refreshToken: login.refreshToken }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
  });

  it('logout without a session is a no-op 204; the user-wide endpoints need a user', async () => {
    expect((await t.client().post('/auth/logout')).status).toBe(204);
    const guest = t.client();
    const view = await visit(guest);
    expectError(await guest.post('/auth/logout-all'), 401, 'AUTH_REQUIRED');
    expectError(await guest.delete(`/sessions/${view.id}`), 401, 'AUTH_REQUIRED');
    expect((await guest.get('/session')).body.id).toBe(view.id);
    expect((await guest.post('/auth/logout')).status).toBe(204);
    expect((await guest.get('/session')).body.id).not.toBe(view.id);
  });

  it('POST /auth/logout-all ends every session of the user and no one else', async () => {
    const [a1, a2, b] = [t.client(), t.client(), t.client()];
    const first = await signIn(a1);
    const second = await signIn(a2);
    const other = await signIn(b, 'user2@example.test');
    expect((await a1.post('/auth/logout-all')).status).toBe(204);
    expect((await a1.get('/session')).body.user).toBeNull();
    expect((await a2.get('/session')).body.user).toBeNull();
    for (const login of [first, second]) {
      expectError(await bearer(t, login.accessToken).get('/cart'), 401, 'AUTH_SESSION_ENDED');
      expectError(
        await t.client().post('/auth/refresh', { refreshToken: login.refreshToken }),
        401,
        'REFRESH_TOKEN_INVALID',
      );
    }
    expect((await b.get('/session')).body.id).toBe(other.session.id);
    expect((await t.client().post('/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(200);
  });

  it('GET /sessions lists my live sessions with the current one marked', async () => {
    const [a1, a2, b] = [t.client(), t.client(), t.client()];
    const first = await signIn(a1);
    await t.advance(1000);
    const second = await signIn(a2);
    await signIn(b, 'user2@example.test');
    const reply = await a2.get('/sessions');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      sessions: [
        { id: first.session.id, createdAt: first.session.createdAt, lastSeenAt: expect.any(Number), current: false },
        { id: second.session.id, createdAt: second.session.createdAt, lastSeenAt: expect.any(Number), current: true },
      ],
    });
    expectError(await t.client().get('/sessions'), 401, 'AUTH_REQUIRED');
  });

  it('DELETE /sessions/:id ends one of my sessions; my other sessions live on', async () => {
    const [a1, a2] = [t.client(), t.client()];
    const first = await signIn(a1);
    const second = await signIn(a2);
    expect((await a1.delete(`/sessions/${second.session.id}`)).status).toBe(204);
    expect((await a2.get('/session')).body.user).toBeNull();
    expect((await a1.get('/session')).body.id).toBe(first.session.id);
    expect((await a1.get('/sessions')).body.sessions.map((s: { id: string }) => s.id)).toEqual([first.session.id]);
    expectError(await a1.delete(`/sessions/${second.session.id}`), 404, 'NOT_FOUND');
  });

  it("DELETE /sessions/:id of another user's session is 404 and leaves it alive", async () => {
    const [a, b] = [t.client(), t.client()];
    await signIn(a);
    const other = await signIn(b, 'user2@example.test');
    expectError(await a.delete(`/sessions/${other.session.id}`), 404, 'NOT_FOUND');
    expectError(await a.delete('/sessions/never-issued'), 404, 'NOT_FOUND');
    expect((await b.get('/session')).body.id).toBe(other.session.id);
  });

  it('DELETE /sessions/:id of the current session signs this client out', async () => {
    const client = t.client();
    const login = await signIn(client);
    expect((await client.delete(`/sessions/${login.session.id}`)).status).toBe(204);
    expect(client.cookies.has('sp.sid')).toBe(false);
    expectError(await bearer(t, login.accessToken).get('/session'), 401, 'AUTH_SESSION_ENDED');
  });
});

describe('GET /sessions/stats', () => {
  it('counts live, expired-awaiting-sweep, created, ended and swept sessions', async () => {
    const [g, u1, u2] = [t.client(), t.client(), t.client()];
    await visit(g);
    await signIn(u1);
    await signIn(u2, 'user2@example.test');
    expect((await g.get('/sessions/stats')).body).toEqual({
      live: 3,
      expiredAwaitingSweep: 0,
      created: 3,
      ended: 0,
      swept: 0,
    });
    await u2.post('/auth/logout');
    await t.advance(16 * minute);
    expect((await g.get('/sessions/stats')).body).toEqual({
      live: 1,
      expiredAwaitingSweep: 1,
      created: 3,
      ended: 1,
      swept: 0,
    });
    await t.sweep();
    expect((await g.get('/sessions/stats')).body).toEqual({
      live: 1,
      expiredAwaitingSweep: 0,
      created: 3,
      ended: 1,
      swept: 1,
    });
  });
});
