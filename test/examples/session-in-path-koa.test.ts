import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type Started } from '../../examples/session-in-path-koa/server.ts';
import { HttpClient } from '../support/http-client.ts';

/**
 * The Koa example, where the session id travels in the path: its routes, and the races that break the other
 * examples shown not to break this one (it keeps read-and-write steps free of awaits).
 */
let app: Started;
let http: HttpClient;

beforeAll(async () => {
  app = await start();
  http = new HttpClient(app.url);
});

afterAll(async () => {
  await app.close();
});

interface PathSession {
  sessionId: string;
  csrfToken: string;
}

const base = (session: PathSession) => `/api/v1/sessions/${session.sessionId}`;
const csrf = (session: PathSession) => ({ headers: { 'x-csrf-token': session.csrfToken } });

async function newSession(): Promise<PathSession> {
  const reply = await http.post('/api/v1/sessions');
  expect(reply.status).toBe(201);
  return reply.body;
}

async function register(): Promise<string> {
  const username = `user-${Math.random().toString(36).slice(2)}`;
  expect((await http.post('/api/v1/users', { username, password: 'secret-password' })).status).toBe(201);
  return username;
}

async function login(session: PathSession, username: string, password = 'secret-password') {
  return http.post(`${base(session)}/login`, { username, password }, csrf(session));
}

const add = (session: PathSession, sku: string, qty: number) =>
  http.post(`${base(session)}/cart/items`, { sku, qty }, csrf(session));

describe('session-in-path-koa', () => {
  it('opens sessions with unguessable ids and per-session CSRF tokens', async () => {
    const a = await newSession();
    const b = await newSession();
    expect(a.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    expect(a.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.sessionId).not.toBe(b.sessionId);

    expect(await http.get(base(a))).toMatchObject({ status: 200, body: { sessionId: a.sessionId, user: null } });
    expect(await http.get(`${base(a)}/cart`)).toMatchObject({ status: 200, body: { items: [], itemCount: 0 } });

    expect(await http.post(`${base(a)}/cart/items`, { sku: 'SKU-0001', qty: 1 })).toMatchObject({
      status: 403,
      body: { error: 'CSRF_TOKEN_INVALID' },
    });
    expect((await http.post(`${base(a)}/cart/items`, { sku: 'SKU-0001', qty: 1 }, csrf(b))).status).toBe(403);
    expect((await http.delete(base(a), csrf(b))).status).toBe(403);

    const unknown = await http.get('/api/v1/sessions/not-a-session/cart');
    expect(unknown).toMatchObject({ status: 404, body: { error: 'SESSION_NOT_FOUND' } });
  });

  it('keeps a cart: add increments, PATCH sets, DELETE removes', async () => {
    const s = await newSession();
    expect((await add(s, 'SKU-0003', 2)).body).toMatchObject({ items: [{ sku: 'SKU-0003', qty: 2 }], itemCount: 2 });
    expect((await add(s, 'SKU-0003', 3)).body).toMatchObject({ items: [{ sku: 'SKU-0003', qty: 5 }] });
    expect(await add(s, 'NOPE', 1)).toMatchObject({ status: 422, body: { error: 'UNKNOWN_SKU' } });
    expect(await add(s, 'SKU-0003', 0)).toMatchObject({ status: 422, body: { error: 'VALIDATION_FAILED' } });
    expect(await add(s, 'SKU-0003', 100)).toMatchObject({ status: 422, body: { error: 'VALIDATION_FAILED' } });

    let reply = await http.request('PATCH', `${base(s)}/cart/items/SKU-0003`, { json: { qty: 7 }, ...csrf(s) });
    expect(reply.body).toMatchObject({ items: [{ sku: 'SKU-0003', qty: 7 }] });
    reply = await http.request('PATCH', `${base(s)}/cart/items/SKU-0009`, { json: { qty: 1 }, ...csrf(s) });
    expect(reply).toMatchObject({ status: 404, body: { error: 'ITEM_NOT_FOUND' } });

    await add(s, 'SKU-0004', 1);
    reply = await http.request('PATCH', `${base(s)}/cart/items/SKU-0004`, { json: { qty: 0 }, ...csrf(s) });
    expect(reply.body.items).toHaveLength(1);
    reply = await http.delete(`${base(s)}/cart/items/SKU-0003`, csrf(s));
    expect(reply).toMatchObject({ status: 200, body: { items: [], itemCount: 0, subtotal: 0 } });
    expect((await http.delete(`${base(s)}/cart/items/SKU-0003`, csrf(s))).status).toBe(200);

    expect((await http.post(`${base(s)}/cart/items`, undefined, { body: '{', ...csrf(s) })).status).toBe(415);
    expect(
      (
        await http.request('POST', `${base(s)}/cart/items`, {
          body: '{',
          headers: { 'content-type': 'application/json', ...csrf(s).headers },
        })
      ).status,
    ).toBe(400);
  });

  it('login ends the path session and merges the guest cart into the user cart', async () => {
    const username = await register();
    expect((await http.post('/api/v1/users', { username, password: 'another-one' })).status).toBe(409);

    const first = await newSession();
    expect(await login(first, username, 'wrong')).toMatchObject({
      status: 401,
      body: { error: 'INVALID_CREDENTIALS' },
    });
    const signedIn = (await login(first, username)).body as PathSession;
    expect(signedIn.sessionId).not.toBe(first.sessionId);
    expect((await http.get(base(first))).status).toBe(404);
    await add(signedIn, 'SKU-0001', 2);
    expect((await http.delete(base(signedIn), csrf(signedIn))).status).toBe(204);
    expect(await http.get(`${base(signedIn)}/cart`)).toMatchObject({
      status: 404,
      body: { error: 'SESSION_NOT_FOUND' },
    });

    const guest = await newSession();
    await add(guest, 'SKU-0001', 3);
    await add(guest, 'SKU-0002', 1);
    const reply = await login(guest, username);
    expect(reply).toMatchObject({ status: 201, body: { user: { username } } });
    const again = reply.body as PathSession;
    expect((await http.get(`${base(guest)}/cart`)).status).toBe(404);
    expect((await http.get(`${base(again)}/cart`)).body).toMatchObject({
      items: [
        { sku: 'SKU-0001', qty: 5 },
        { sku: 'SKU-0002', qty: 1 },
      ],
    });
    expect((await http.get(base(again))).body.user).toEqual({ username });
  });

  it('checks out a signed-in cart into an order', async () => {
    const guest = await newSession();
    expect(await http.post(`${base(guest)}/orders`, undefined, csrf(guest))).toMatchObject({
      status: 401,
      body: { error: 'LOGIN_REQUIRED' },
    });
    const s = (await login(guest, await register())).body as PathSession;
    expect((await http.post(`${base(s)}/orders`, undefined, csrf(s))).status).toBe(409);
    await add(s, 'SKU-0010', 2);
    const order = await http.post(`${base(s)}/orders`, undefined, csrf(s));
    expect(order).toMatchObject({ status: 201, body: { items: [{ sku: 'SKU-0010', qty: 2 }] } });
    expect((await http.get(`${base(s)}/cart`)).body.items).toEqual([]);
    expect((await http.get(`${base(s)}/orders`)).body).toEqual({ orders: [order.body] });
  });

  it('logout-all ends every session of the user', async () => {
    const username = await register();
    const one = (await login(await newSession(), username)).body as PathSession;
    const two = (await login(await newSession(), username)).body as PathSession;
    const other = (await login(await newSession(), 'alice', 'wonderland')).body as PathSession;
    expect((await http.post(`${base(one)}/logout-all`, undefined, csrf(one))).status).toBe(204);
    expect((await http.get(base(one))).status).toBe(404);
    expect((await http.get(base(two))).status).toBe(404);
    expect((await http.get(base(other))).status).toBe(200);
  });

  it('counts sessions in /sessions/stats', async () => {
    const before = (await http.get('/api/v1/sessions/stats')).body;
    const s = await newSession();
    const during = (await http.get('/api/v1/sessions/stats')).body;
    expect(during.active).toBe(before.active + 1);
    expect(during.created).toBe(before.created + 1);
    await http.delete(base(s), csrf(s));
    const after = (await http.get('/api/v1/sessions/stats')).body;
    expect(after).toMatchObject({ active: before.active, ended: before.ended + 1 });
  });

  it('does not lose concurrent adds: 20 at once always sum exactly', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await newSession();
      const replies = await Promise.all(Array.from({ length: 20 }, () => add(s, 'SKU-0007', 1)));
      expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(200));
      expect((await http.get(`${base(s)}/cart`)).body.itemCount).toBe(20);
    }
  });

  it('merges exactly the adds that were accepted when login races them', async () => {
    const username = await register();
    for (let round = 0; round < 5; round++) {
      const before = (await login(await newSession(), username)).body as PathSession;
      const start = (await http.get(`${base(before)}/cart`)).body.itemCount as number;
      const guest = await newSession();
      const adds = Array.from({ length: 10 }, () => add(guest, 'SKU-0011', 1));
      const logins = [login(guest, username), login(guest, username)];
      const addReplies = await Promise.all(adds);
      const loginReplies = await Promise.all(logins);
      // One path session yields one successor; the other login finds it ended.
      expect(loginReplies.map((reply) => reply.status).sort()).toEqual([201, 404]);
      const accepted = addReplies.filter((reply) => reply.status === 200).length;
      expect(addReplies.every((reply) => reply.status === 200 || reply.status === 404)).toBe(true);
      const after = loginReplies.find((reply) => reply.status === 201)!.body as PathSession;
      expect((await http.get(`${base(after)}/cart`)).body.itemCount).toBe(start + accepted);
    }
  });

  it('keeps a logout: requests racing it never bring the session back', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await newSession();
      const racing = [
        ...Array.from({ length: 5 }, () => add(s, 'SKU-0005', 1)),
        login(s, 'bob', 'builder'),
        http.delete(base(s), csrf(s)),
        ...Array.from({ length: 5 }, () => http.get(`${base(s)}/cart`)),
      ];
      await Promise.all(racing);
      expect((await http.get(base(s))).status).toBe(404);
    }
  });
});

describe('session-in-path-koa idle timeout', () => {
  it('ends a session idle longer than IDLE_TIMEOUT_MS and sweeps it', async () => {
    const short = await start({ idleTimeoutMs: 1000, sweepIntervalMs: 50 });
    try {
      const client = new HttpClient(short.url);
      const kept = (await client.post('/api/v1/sessions')).body as PathSession;
      const idle = (await client.post('/api/v1/sessions')).body as PathSession;
      for (let i = 0; i < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect((await client.get(`/api/v1/sessions/${kept.sessionId}`)).status).toBe(200);
      }
      const stats = (await client.get('/api/v1/sessions/stats')).body;
      expect(stats).toMatchObject({ active: 1, expiredAwaitingSweep: 0 });
      expect(stats.expired).toBeGreaterThanOrEqual(1);
      expect(await client.get(`/api/v1/sessions/${idle.sessionId}`)).toMatchObject({
        status: 404,
        body: { error: 'SESSION_NOT_FOUND' },
      });
    } finally {
      await short.close();
    }
  });
});
