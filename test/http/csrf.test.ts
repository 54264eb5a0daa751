import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpClient } from '../support/http-client.ts';
import { bearer, expectError, sessionState, signIn, startServer, visit, type TestServer } from './fixture.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const add = { sku: 'SKU-0001', quantity: 1 };

/**
 * Every cookie-authenticated write the contract has, sent with the client's cookie and the given headers instead of
 * its CSRF token.
 */
function writes(original: HttpClient, headers: Record<string, string>, sessionId: string) {
  const client = original.clone();
  delete client.headers['x-csrf-token'];
  return [
    client.post('/cart/items', add, { headers }),
    client.put('/cart/items/SKU-0001', { quantity: 5 }, { headers }),
    client.delete('/cart/items/SKU-0001', { headers }),
    client.put('/wishlist/items/SKU-0001', undefined, { headers }),
    client.delete('/wishlist/items/SKU-0001', { headers }),
    client.post('/orders', {}, { headers }),
    client.post('/auth/logout', undefined, { headers }),
    client.post('/auth/logout-all', undefined, { headers }),
    client.delete(`/sessions/${sessionId}`, { headers }),
    client.post('/auth/login', { email: 'user2@example.test', password: 'sessionproof' }, { headers }),
  ];
}

async function snapshot(client: HttpClient) {
  const session = (await client.get('/session')).body;
  const cart = (await client.get('/cart')).body;
  const wishlist = session.user ? (await client.get('/wishlist')).body : null;
  return { session: sessionState(session), cart, wishlist, cookie: client.cookieHeader() };
}

describe('per-session CSRF on cookie-authenticated writes', () => {
  it('refuses a missing, wrong or foreign token with 403 and changes nothing', async () => {
    const client = t.client();
    const login = await signIn(client);
    await client.post('/cart/items', { sku: 'SKU-0001', quantity: 2 });
    await client.put('/wishlist/items/SKU-0001');
    const other = t.client();
    const foreign = await visit(other);
    const before = await snapshot(client);

    const variants: Record<string, Record<string, string>> = {
      missing: {},
      empty: { 'x-csrf-token': '' },
      wrong: { 'x-csrf-token': 'not-the-token' },
      truncated: { 'x-csrf-token': login.session.csrfToken.slice(0, -1) },
      "another session's": { 'x-csrf-token': foreign.csrfToken },
    };
    for (const [name, headers] of Object.entries(variants)) {
      for (const reply of await Promise.all(writes(client, headers, login.session.id))) {
        expectError(reply, 403, 'CSRF_TOKEN_INVALID');
      }
      expect(await snapshot(client), name).toEqual(before);
    }
    expect((await client.post('/cart/items', add)).status).toBe(200);
  });

  it('refuses a token replayed from before login', async () => {
    const client = t.client();
    const guest = await visit(client);
    await client.post('/cart/items', add);
    await signIn(client);
    const before = await snapshot(client);
    for (const reply of await Promise.all(writes(client, { 'x-csrf-token': guest.csrfToken }, before.session.id))) {
      expectError(reply, 403, 'CSRF_TOKEN_INVALID');
    }
    expect(await snapshot(client)).toEqual(before);
  });

  it('refuses a guest write without the token', async () => {
    const client = t.client();
    await visit(client);
    const before = await snapshot(client);
    for (const reply of await Promise.all(writes(client, {}, before.session.id)))
      expectError(reply, 403, 'CSRF_TOKEN_INVALID');
    expect(await snapshot(client)).toEqual(before);
  });

  it('needs no token on reads', async () => {
    const client = t.client();
    await signIn(client);
    delete client.headers['x-csrf-token'];
    for (const path of ['/session', '/cart', '/wishlist', '/orders', '/sessions']) {
      expect((await client.get(path)).status, path).toBe(200);
    }
  });

  it('needs no token on bearer requests', async () => {
    const login = await signIn(t.client());
    const api = bearer(t, login.accessToken);
    expect((await api.post('/cart/items', add)).status).toBe(200);
    expect((await api.put('/cart/items/SKU-0001', { quantity: 4 })).body.items).toEqual([
      { sku: 'SKU-0001', quantity: 4 },
    ]);
    expect((await api.put('/wishlist/items/SKU-0002')).status).toBe(200);
    expect((await api.post('/orders', {})).status).toBe(201);
  });

  it('the token stays the same for the life of the session and changes with it', async () => {
    const client = t.client();
    const guest = await visit(client);
    expect((await client.get('/session')).body.csrfToken).toBe(guest.csrfToken);
    const login = await signIn(client);
    expect(login.session.csrfToken).not.toBe(guest.csrfToken);
    expect((await client.get('/session')).body.csrfToken).toBe(login.session.csrfToken);
  });
});
