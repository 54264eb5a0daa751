import { request as httpRequest } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpClient, Reply } from '../support/http-client.ts';
import { bearer, expectError, sessionState, signIn, startServer, visit, type TestServer } from './fixture.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startServer({ maxLineQuantity: 5000 });
});
beforeEach(() => t.reset());
afterAll(() => t.close());

/** What a bad request must leave alone: the caller's session, cart, wishlist and orders, and the store's counts. */
async function stored(client: HttpClient) {
  const session = (await client.get('/session')).body;
  const signedIn = session.user !== null;
  return {
    session: sessionState(session),
    cart: (await client.get('/cart')).body,
    wishlist: signedIn ? (await client.get('/wishlist')).body : null,
    orders: signedIn ? (await client.get('/orders')).body : null,
    stats: (await client.get('/sessions/stats')).body,
  };
}

/** Sends each bad request, checks its status and code, and checks that nothing stored changed. */
async function refuses(client: HttpClient, status: number, code: string, requests: (() => Promise<Reply>)[]) {
  const before = await stored(client);
  for (const send of requests) expectError(await send(), status, code);
  expect(await stored(client)).toEqual(before);
}

/** A guest with one cart line, armed with its CSRF token. */
async function guestWithCart(): Promise<HttpClient> {
  const client = t.client();
  await visit(client);
  expect((await client.post('/cart/items', { sku: 'SKU-0001', quantity: 2 })).status).toBe(200);
  return client;
}

async function userWithData(): Promise<{ client: HttpClient; login: Record<string, any> }> {
  const client = t.client();
  const login = await signIn(client);
  await client.post('/cart/items', { sku: 'SKU-0001', quantity: 2 });
  await client.put('/wishlist/items/SKU-0002');
  return { client, login };
}

const raw =
  (client: HttpClient, method: string, path: string, body: string, contentType = 'application/json') =>
  () =>
    client.request(method, path, { body, headers: { 'content-type': contentType } });

describe('request bodies', () => {
  it('malformed JSON is 400 MALFORMED_JSON', async () => {
    const client = await guestWithCart();
    await refuses(client, 400, 'MALFORMED_JSON', [
      raw(client, 'POST', '/cart/items', '{"sku": "SKU-0001", "quantity": 1'),
      raw(client, 'POST', '/cart/items', "{'sku': 'SKU-0001'}"),
      raw(client, 'PUT', '/cart/items/SKU-0001', '{"quantity": 7,}'),
      raw(client, 'POST', '/auth/login', 'email=user1@example.test'),
      raw(t.client(), 'POST', '/auth/refresh', '{"refreshToken":'),
    ]);
  });

  it('a body over the limit is 413 PAYLOAD_TOO_LARGE, with or without a content length', async () => {
    const client = await guestWithCart();
    const big = JSON.stringify({ sku: 'SKU-0001', quantity: 1, pad: 'x'.repeat(20 * 1024) });
    const chunked = () =>
      new Promise<Reply>((resolve, reject) => {
        const url = new URL('/cart/items', t.url);
        const request = httpRequest(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            cookie: client.cookieHeader(),
            'x-csrf-token': client.headers['x-csrf-token']!,
          },
        });
        request.on('response', (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode!, headers: new Headers(), body: JSON.parse(text) }),
          );
        });
        request.on('error', reject);
        for (let at = 0; at < big.length; at += 1024) request.write(big.slice(at, at + 1024));
        request.end();
      });
    await refuses(client, 413, 'PAYLOAD_TOO_LARGE', [raw(client, 'POST', '/cart/items', big), chunked]);
  });

  it('a body that is not application/json is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const client = await guestWithCart();
    const body = JSON.stringify({ sku: 'SKU-0001', quantity: 1 });
    await refuses(client, 415, 'UNSUPPORTED_MEDIA_TYPE', [
      raw(client, 'POST', '/cart/items', body, 'text/plain'),
      raw(client, 'POST', '/cart/items', 'sku=SKU-0001&quantity=1', 'application/x-www-form-urlencoded'),
      raw(client, 'PUT', '/cart/items/SKU-0001', '{"quantity": 3}', 'text/json-ish'),
      raw(t.client(), 'POST', '/auth/login', '{"email":"user1@example.test","password":"sessionproof"}', 'text/plain'),
    ]);
    expect((await raw(client, 'POST', '/cart/items', body, 'application/json; charset=utf-8')()).status).toBe(200);
  });

  it('wrong types are 400 VALIDATION_FAILED', async () => {
    const client = await guestWithCart();
    const add = (json: unknown) => () => client.post('/cart/items', json);
    await refuses(client, 400, 'VALIDATION_FAILED', [
      raw(client, 'POST', '/cart/items', '[{"sku":"SKU-0001","quantity":1}]'),
      raw(client, 'POST', '/cart/items', '"SKU-0001"'),
      raw(client, 'POST', '/cart/items', 'null'),
      raw(client, 'POST', '/cart/items', '42'),
      add({}),
      add({ sku: 'SKU-0001' }),
      add({ quantity: 1 }),
      add({ sku: 1, quantity: 1 }),
      add({ sku: ['SKU-0001'], quantity: 1 }),
      add({ sku: 'SKU-0001', quantity: '2' }),
      add({ sku: 'SKU-0001', quantity: true }),
      add({ sku: 'SKU-0001', quantity: null }),
      add({ sku: 'SKU-0001', quantity: [1] }),
      () => client.put('/cart/items/SKU-0001', { quantity: '3' }),
      () => client.put('/cart/items/SKU-0001', {}),
      () => client.put('/cart/items/SKU-0001', [3]),
      () => client.post('/auth/login', { email: 'user1@example.test' }),
      () => client.post('/auth/login', { email: 1, password: 'sessionproof' }),
      () => client.post('/auth/login', ['user1@example.test', 'sessionproof']),
      () => t.client().post('/auth/refresh', { refreshToken: 42 }),
      () => t.client().post('/auth/refresh', {}),
    ]);
  });

  it('negative, zero, huge and fractional quantities are 400 VALIDATION_FAILED', async () => {
    const client = await guestWithCart();
    const add = (quantity: number | string) =>
      raw(client, 'POST', '/cart/items', `{"sku":"SKU-0001","quantity":${quantity}}`);
    const set = (quantity: number | string) => raw(client, 'PUT', '/cart/items/SKU-0001', `{"quantity":${quantity}}`);
    await refuses(client, 400, 'VALIDATION_FAILED', [
      add(-1),
      add(0),
      add(1.5),
      add(1001),
      add('1e20'),
      add('1e400'),
      add(Number.MAX_SAFE_INTEGER + 2),
      set(-1),
      set(2.5),
      set(5001),
      set('1e20'),
    ]);
  });

  it('a line past the per-line limit is 409 CART_LINE_LIMIT', async () => {
    const client = await guestWithCart();
    await client.put('/cart/items/SKU-0001', { quantity: 4999 });
    await refuses(client, 409, 'CART_LINE_LIMIT', [() => client.post('/cart/items', { sku: 'SKU-0001', quantity: 2 })]);
  });

  it('an unknown SKU is 404 UNKNOWN_SKU; a malformed one is 400 VALIDATION_FAILED', async () => {
    const { client } = await userWithData();
    await refuses(client, 404, 'UNKNOWN_SKU', [
      () => client.post('/cart/items', { sku: 'SKU-9999', quantity: 1 }),
      () => client.put('/cart/items/SKU-9999', { quantity: 1 }),
      () => client.delete('/cart/items/SKU-9999'),
      () => client.put('/wishlist/items/NOPE-1'),
      () => client.delete('/wishlist/items/NOPE-1'),
    ]);
    await refuses(client, 400, 'VALIDATION_FAILED', [
      () => client.post('/cart/items', { sku: 'bad sku', quantity: 1 }),
      () => client.post('/cart/items', { sku: '', quantity: 1 }),
      () => client.post('/cart/items', { sku: 'S'.repeat(65), quantity: 1 }),
      () => client.post('/cart/items', { sku: '../SKU-0001', quantity: 1 }),
      () => client.put('/cart/items/bad%20sku', { quantity: 1 }),
      () => client.delete('/cart/items/-SKU'),
      () => client.put('/wishlist/items/%3Cscript%3E'),
    ]);
  });

  it('a malformed Idempotency-Key is 400 VALIDATION_FAILED', async () => {
    const { client } = await userWithData();
    await refuses(client, 400, 'VALIDATION_FAILED', [
      () => client.post('/orders', {}, { headers: { 'idempotency-key': 'k'.repeat(256) } }),
      () => client.post('/orders', {}, { headers: { 'idempotency-key': 'two words' } }),
    ]);
  });
});

describe('routes and methods', () => {
  it('an unknown route is 404 NOT_FOUND', async () => {
    const client = await guestWithCart();
    await refuses(client, 404, 'NOT_FOUND', [
      () => client.get('/nope'),
      () => client.get('/cart/'.repeat(3)),
      () => client.get('/cart/items/SKU-0001/extra'),
      () => client.post('/api/cart/items', { sku: 'SKU-0001', quantity: 1 }),
      () => client.get('/.well-known/other'),
      () => t.client().get('/sessions/x/y'),
    ]);
  });

  it('a known route with the wrong method, or a method no route has, is 405 METHOD_NOT_ALLOWED', async () => {
    const client = await guestWithCart();
    await refuses(client, 405, 'METHOD_NOT_ALLOWED', [
      () => client.request('PATCH', '/cart', { json: { items: [] } }),
      () => client.delete('/cart'),
      () => client.delete('/session'),
      () => client.post('/session'),
      () => client.get('/auth/login'),
      () => client.put('/auth/refresh', {}),
      () => client.get('/cart/items'),
      () => client.post('/cart/items/SKU-0001', { quantity: 1 }),
      () => client.post('/health'),
      () => client.delete('/metrics'),
      () => client.put('/.well-known/sessionproof'),
      () => client.request('PROPFIND', '/cart'),
      () => t.client().request('PROPFIND', '/health'),
      () => t.client().request('PROPFIND', '/nowhere'),
    ]);
  });
});

describe('tampered and truncated cookies count as no cookie', () => {
  const variants: Record<string, (value: string, signature: string) => [string, string | null]> = {
    'value tampered': (value, signature) => [value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A'), signature],
    'value truncated': (value, signature) => [value.slice(0, 20), signature],
    'signature tampered': (value, signature) => [value, signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A')],
    'signature truncated': (value, signature) => [value, signature.slice(0, 10)],
    'signature missing': (value) => [value, null],
    'signature made up': (value) => [value, 'c2lnbmF0dXJlLW9mLXNvbWVvbmUtZWxzZQ'],
    garbage: () => ['%%%not-a-cookie%%%', '!!!'],
  };
  for (const [name, tamper] of Object.entries(variants)) {
    it(`${name}: a read gets a fresh guest session, a write 401 AUTH_SESSION_REQUIRED, the real session untouched`, async () => {
      const { client } = await userWithData();
      const original = sessionState((await client.get('/session')).body);
      const before = await stored(client);
      const [value, signature] = tamper(client.cookies.get('sp.sid')!, client.cookies.get('sp.sid.sig')!);
      const forged = () => {
        const forger = t.client();
        forger.headers['x-csrf-token'] = original.csrfToken;
        forger.cookies.set('sp.sid', value);
        if (signature !== null) forger.cookies.set('sp.sid.sig', signature);
        return forger;
      };
      expectError(await forged().post('/cart/items', { sku: 'SKU-0001', quantity: 1 }), 401, 'AUTH_SESSION_REQUIRED');
      expectError(await forged().put('/wishlist/items/SKU-0003'), 401, 'AUTH_REQUIRED');
      expectError(await forged().post('/orders', {}), 401, 'AUTH_REQUIRED');
      expectError(await forged().post('/auth/logout-all'), 401, 'AUTH_REQUIRED');
      expect(await stored(client)).toEqual(before);

      const reader = forged();
      const view = (await reader.get('/session')).body;
      expect(view.id).not.toBe(original.id);
      expect(view.user).toBeNull();
      expect((await reader.get('/cart')).body.items).toEqual([]);
      expect(reader.cookies.get('sp.sid')).not.toBe(value);
      expect(await stored(client)).toEqual({
        ...before,
        stats: { ...before.stats, live: before.stats.live + 1, created: before.stats.created + 1 },
      });
    });
  }
});

describe('bad access tokens are 401 AUTH_TOKEN_INVALID', () => {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');

  it('another key, alg none, truncated, altered or garbage: refused, nothing changes', async () => {
    const { client, login } = await userWithData();
    const [header, payload, signature] = (login.accessToken as string).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const otherKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode('some-other-secret-entirely'));
    const tokens = {
      'signed with another key': otherKey,
      'alg none': `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      'alg none, signature kept': `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`,
      'alg HS512 claimed': `${encode({ alg: 'HS512', typ: 'JWT' })}.${payload}.${signature}`,
      'payload altered': `${header}.${encode({ ...claims, sub: 'user-2' })}.${signature}`,
      truncated: login.accessToken.slice(0, -5),
      'signature dropped': `${header}.${payload}.`,
      'two parts': `${header}.${payload}`,
    };
    const authorizations = [
      ...Object.values(tokens).map((token) => `Bearer ${token}`),
      'Bearer',
      'Bearer ',
      'Bearer not a token',
      `Bearer ${login.accessToken} extra`,
      'Basic dXNlcjE6c2Vzc2lvbnByb29m',
      'garbage',
      `Bearer ${'a'.repeat(4000)}`,
    ];
    const before = await stored(client);
    for (const authorization of authorizations) {
      const api = t.client();
      api.headers['authorization'] = authorization;
      expectError(await api.get('/cart'), 401, 'AUTH_TOKEN_INVALID');
      expectError(await api.post('/cart/items', { sku: 'SKU-0001', quantity: 1 }), 401, 'AUTH_TOKEN_INVALID');
      expectError(await api.post('/auth/logout-all'), 401, 'AUTH_TOKEN_INVALID');
      expect(api.cookies.size, authorization).toBe(0);
    }
    expect(await stored(client)).toEqual(before);
    expect((await bearer(t, login.accessToken).get('/cart')).status).toBe(200);
  });
});

describe('bad refresh tokens are 401 REFRESH_TOKEN_INVALID and revoke nothing', () => {
  it('tampered, truncated, forged generation or garbage', async () => {
    const { client, login } = await userWithData();
    const token = login.refreshToken as string;
    const [prefix, family, generation, mac] = token.split('.') as [string, string, string, string];
    const flip = (text: string) => text.slice(0, -1) + (text.endsWith('A') ? 'B' : 'A');
    const bad = [
      `${prefix}.${family}.${generation}.${flip(mac)}`,
      `${prefix}.${flip(family)}.${generation}.${mac}`,
      `${prefix}.${family}.${Number(generation) + 1}.${mac}`,
      `${prefix}.${family}.-1.${mac}`,
      `rt2.${family}.${generation}.${mac}`,
      token.slice(0, -4),
      token.slice(0, token.lastIndexOf('.')),
      `${token}.extra`,
      'garbage',
      login.accessToken,
    ];
    const before = await stored(client);
    for (const refreshToken of bad) {
      expectError(await t.client().post('/auth/refresh', { refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
    }
    expect(await stored(client)).toEqual(before);
    const rotated = await t.client().post('/auth/refresh', { refreshToken: token });
    expect(rotated.status).toBe(200);
  });
});
