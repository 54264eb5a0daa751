import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, expectError, minute, signIn, startServer, type TestServer } from './fixture.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

async function refresh(refreshToken: string) {
  return t.client().post('/auth/refresh', { refreshToken });
}

describe('bearer access tokens', () => {
  it('identify the session they were issued for, without cookies and without CSRF', async () => {
    const login = await signIn(t.client());
    const api = bearer(t, login.accessToken);
    const view = await api.get('/session');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ id: login.session.id, user: { email: 'user1@example.test' } });
    const added = await api.post('/cart/items', { sku: 'SKU-0003', quantity: 2 });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ owner: 'user', items: [{ sku: 'SKU-0003', quantity: 2 }] });
    expect(api.cookies.size).toBe(0);
  });

  it('are accepted under any case of the Bearer scheme', async () => {
    const login = await signIn(t.client());
    for (const scheme of ['bearer', 'BEARER']) {
      const api = t.client();
      api.headers['authorization'] = `${scheme} ${login.accessToken}`;
      expect((await api.get('/session')).body.id, scheme).toBe(login.session.id);
    }
  });

  it('stop working at logout, before their exp', async () => {
    const client = t.client();
    const login = await signIn(client);
    const api = bearer(t, login.accessToken);
    expect((await api.get('/cart')).status).toBe(200);
    expect((await client.post('/auth/logout')).status).toBe(204);
    expectError(await api.get('/cart'), 401, 'AUTH_SESSION_ENDED');
    expectError(await api.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }), 401, 'AUTH_SESSION_ENDED');
  });

  it('can log their own session out', async () => {
    const client = t.client();
    const login = await signIn(client);
    const api = bearer(t, login.accessToken);
    expect((await api.post('/auth/logout')).status).toBe(204);
    expectError(await api.get('/session'), 401, 'AUTH_SESSION_ENDED');
    expect((await client.get('/session')).body.user).toBeNull();
  });

  it('stop working when the session expires, even inside their exp', async () => {
    const login = await signIn(t.client());
    const api = bearer(t, login.accessToken);
    await t.advance(16 * minute);
    expectError(await api.get('/session'), 401, 'AUTH_SESSION_ENDED');
  });

  it('move the idle timer like cookie requests do', async () => {
    const login = await signIn(t.client());
    const api = bearer(t, login.accessToken);
    for (let i = 0; i < 2; i++) {
      await t.advance(10 * minute);
      expect((await api.get('/cart')).status).toBe(200);
    }
    expect((await api.get('/session')).body.id).toBe(login.session.id);
  });

  it('answer AUTH_TOKEN_EXPIRED after 30 minutes while the session lives on', async () => {
    const client = t.client();
    const login = await signIn(client);
    const api = bearer(t, login.accessToken);
    for (let i = 0; i < 3; i++) {
      await t.advance(10 * minute + 1000);
      await client.get('/session');
    }
    expectError(await api.get('/session'), 401, 'AUTH_TOKEN_EXPIRED');
    expect((await client.get('/session')).body.id).toBe(login.session.id);
    const renewed = await refresh(login.refreshToken);
    expect(renewed.status).toBe(200);
    expect((await bearer(t, renewed.body.accessToken).get('/session')).body.id).toBe(login.session.id);
  });
});

describe('refresh rotation', () => {
  it('rotates: a new access token and a new refresh token that refreshes in turn', async () => {
    const login = await signIn(t.client());
    const first = await refresh(login.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      accessTokenExpiresAt: expect.any(Number),
    });
    expect(first.body.refreshToken).not.toBe(login.refreshToken);
    expect(first.body.accessToken).not.toBe(login.accessToken);
    expect((await bearer(t, first.body.accessToken).get('/session')).body.id).toBe(login.session.id);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
  });

  it('concurrent refreshes with one token inside the grace window all succeed with one successor', async () => {
    const login = await signIn(t.client());
    const replies = await Promise.all(Array.from({ length: 12 }, () => refresh(login.refreshToken)));
    expect(replies.map((reply) => reply.status)).toEqual(Array(12).fill(200));
    const successors = new Set(replies.map((reply) => reply.body.refreshToken));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    for (const reply of replies) expect((await bearer(t, reply.body.accessToken).get('/session')).status).toBe(200);
    // The family moved exactly one generation: the successor is current, so it rotates rather than being "previous".
    const next = await refresh(successor as string);
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).not.toBe(successor);
  });

  it('the previous token inside the grace window returns the same successor again', async () => {
    const login = await signIn(t.client());
    const first = await refresh(login.refreshToken);
    await t.advance(9_000);
    const again = await refresh(login.refreshToken);
    expect(again.status).toBe(200);
    expect(again.body.refreshToken).toBe(first.body.refreshToken);
  });

  it('the previous token after the grace window is reuse: that family ends, the user keeps other sessions', async () => {
    const client = t.client();
    const login = await signIn(client);
    const otherDevice = t.client();
    const other = await signIn(otherDevice);
    const first = await refresh(login.refreshToken);
    await t.advance(11_000);
    expectError(await refresh(login.refreshToken), 401, 'REFRESH_TOKEN_REUSED');

    expectError(await refresh(first.body.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
    expectError(await bearer(t, first.body.accessToken).get('/session'), 401, 'AUTH_SESSION_ENDED');
    expect((await client.get('/session')).body.user).toBeNull();

    expect((await otherDevice.get('/session')).body.id).toBe(other.session.id);
    expect((await bearer(t, other.accessToken).get('/cart')).status).toBe(200);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('a token two rotations old is reuse even inside the grace window', async () => {
    const client = t.client();
    const login = await signIn(client);
    const first = await refresh(login.refreshToken);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    expectError(await refresh(login.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
    expectError(await refresh(second.body.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
    expect((await client.get('/session')).body.user).toBeNull();
  });

  it('refresh keeps the session alive (it moves the idle timer)', async () => {
    const client = t.client();
    const login = await signIn(client);
    let token = login.refreshToken as string;
    for (let i = 0; i < 3; i++) {
      await t.advance(10 * minute);
      const reply = await refresh(token);
      expect(reply.status).toBe(200);
      token = reply.body.refreshToken;
    }
    expect((await client.get('/session')).body.id).toBe(login.session.id);
  });

  it('refresh stops at the absolute timeout', async () => {
    const login = await signIn(t.client());
    let token = login.refreshToken as string;
    for (let elapsed = 10; elapsed < 160; elapsed += 10) {
      await t.advance(10 * minute);
      const reply = await refresh(token);
      expect(reply.status, `at ${elapsed} min`).toBe(200);
      token = reply.body.refreshToken;
    }
    await t.advance(10 * minute);
    expectError(await refresh(token), 401, 'REFRESH_TOKEN_INVALID');
  });
});
