import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type ReferenceServer } from '../../server/index.ts';
import { MemoryStore } from '../../server/stores/memory.ts';
import type { Store } from '../../server/stores/store.ts';
import { HttpClient } from '../support/http-client.ts';

/** The store calls the server makes, by method name; the memory store's own internal calls are not seen. */
function recording(inner: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

describe('a request session', () => {
  const inner = new MemoryStore();
  const { store, calls } = recording(inner);
  let server: ReferenceServer;
  let url: string;

  beforeAll(async () => {
    server = await createServer({ store, config: { logLevel: 'silent', seedUsers: 1, sweepIntervalMs: 0 } });
    url = await server.listen(0, '127.0.0.1');
  });
  beforeEach(() => {
    calls.length = 0;
  });
  afterAll(async () => {
    await server?.close();
    await inner.close();
  });

  async function guestWithLine(): Promise<HttpClient> {
    const client = new HttpClient(url);
    client.headers['x-csrf-token'] = (await client.get('/session')).body.csrfToken;
    expect((await client.post('/cart/items', { sku: 'SKU-0003', quantity: 2 })).status).toBe(200);
    calls.length = 0;
    return client;
  }

  it('loads a cookie session, moves its idle timer and loads its cart in one store call for GET /cart', async () => {
    const client = await guestWithLine();
    const reply = await client.get('/cart');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ owner: 'guest', items: [{ sku: 'SKU-0003', quantity: 2 }] });
    expect(calls).toEqual(['findSessionWithCart']);
  });

  it('loads and touches a cookie session in one store call when the request does not read the cart', async () => {
    const client = await guestWithLine();
    expect((await client.get('/session')).status).toBe(200);
    expect(calls).toEqual(['findSessionBySecretAndTouch']);
  });

  it('writes the cart in one store call after that load, and saves nothing the request left unchanged', async () => {
    const client = await guestWithLine();
    const reply = await client.post('/cart/items', { sku: 'SKU-0003', quantity: 1 });
    expect(reply.body).toMatchObject({ items: [{ sku: 'SKU-0003', quantity: 3 }] });
    expect(calls).toEqual(['findSessionBySecretAndTouch', 'addToCart']);
  });

  it('gives a client without a session a new guest session and its empty cart', async () => {
    const client = new HttpClient(url);
    const reply = await client.get('/cart');
    expect(reply.body).toMatchObject({ owner: 'guest', items: [] });
    expect(calls).toEqual(['createSession', 'getOrCreateCart']);
    calls.length = 0;
    expect((await client.get('/cart')).body).toEqual(reply.body);
    expect(calls).toEqual(['findSessionWithCart']);
  });

  async function accessToken(): Promise<string> {
    const login = await new HttpClient(url).post('/auth/login', {
      email: 'user1@example.test',
      password: 'sessionproof',
    });
    return login.body.accessToken;
  }

  it('with a bearer token only reads the cookie session and reaches the signed-in cart, not the cookie one', async () => {
    const client = await guestWithLine();
    client.headers['authorization'] = `Bearer ${await accessToken()}`;
    calls.length = 0;
    const reply = await client.get('/cart');
    expect(reply.body).toMatchObject({ owner: 'user', items: [] });
    expect(calls).toEqual(['findSessionBySecret', 'findSession', 'getOrCreateCart']);
  });

  it('reads a cart by bearer token in two store calls, touching the session only once the window has passed', async () => {
    const client = new HttpClient(url);
    client.headers['authorization'] = `Bearer ${await accessToken()}`;
    calls.length = 0;
    expect((await client.get('/cart')).status).toBe(200);
    expect(calls).toEqual(['findSession', 'getOrCreateCart']);

    calls.length = 0;
    server.services.clock.advance(server.services.config.touchWindowMs + 1);
    expect((await client.get('/cart')).status).toBe(200);
    expect(calls).toEqual(['findSession', 'touchSession', 'getOrCreateCart']);
  });

  it('reports the idle expiry the store holds: a read inside the touch window does not move it', async () => {
    const client = await guestWithLine();
    const first = (await client.get('/session')).body;
    const { touchWindowMs } = server.services.config;
    server.services.clock.advance(touchWindowMs / 2);
    expect((await client.get('/session')).body.idleExpiresAt).toBe(first.idleExpiresAt);
    server.services.clock.advance(touchWindowMs);
    expect((await client.get('/session')).body.idleExpiresAt).toBeGreaterThan(first.idleExpiresAt + touchWindowMs);
  });
});
