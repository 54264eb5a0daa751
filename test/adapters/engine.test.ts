import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AdapterError, adapterProblems, defineAdapter, type Adapter } from '../../adapters/adapter.ts';
import { contractV1 } from '../../adapters/contract-v1.ts';
import { perform, UnreadableAnswer } from '../../adapters/engine.ts';
import { History } from '../../adapters/history.ts';
import { referenceSemantics } from '../../adapters/semantics.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';

let server: Server;
let base: string;

/** A tiny app of its own shape: a form login that redirects, a cart in JSON, and a contract-v1 style error. */
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/login' && request.method === 'POST') {
      response.writeHead(303, { location: '/welcome', 'set-cookie': 'app=s1; Path=/; HttpOnly' });
      return response.end();
    }
    if (request.url === '/welcome') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end(`<p>Hello <b id="who">alice</b>, cookie ${request.headers.cookie ?? 'none'}</p>`);
    }
    if (request.url === '/cart') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ lines: [{ product: 'A', qty: 2 }] }));
    }
    if (request.url === '/garbled') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end('{"half":');
    }
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'AUTH_REQUIRED', message: 'sign in' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const formApp: Adapter = defineAdapter({
  name: 'form-app',
  semantics: { ...referenceSemantics, identity: 'cookie', logoutEndsAccessTokens: false },
  operations: {
    login: {
      request: ({ args }) => ({
        method: 'POST',
        path: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `user=${encodeURIComponent(args.email)}&password=${encodeURIComponent(args.password)}`,
      }),
      parse: (response) => {
        if (response.status === 303) return { next: { method: 'GET', path: response.headers.location! } };
        const who = /<b id="who">([^<]+)<\/b>/.exec(response.text)?.[1] ?? null;
        return {
          ok: true,
          value: { session: { id: null, user: who, csrfToken: null }, accessToken: null, refreshToken: null },
          state: { vars: { greeted: who ?? '' } },
        };
      },
    },
    getCart: {
      request: () => ({ method: 'GET', path: '/cart' }),
      parse: (response) => ({
        ok: true,
        value: {
          id: null,
          owner: null,
          items: (response.json as any).lines.map((line: any) => ({ sku: line.product, quantity: line.qty })),
        },
      }),
    },
    whoami: {
      request: () => ({ method: 'GET', path: '/garbled' }),
      parse: (response) => ({ ok: true, value: { id: (response.json as any).id, user: null, csrfToken: null } }),
    },
  },
});

function user(): VirtualUser {
  return new VirtualUser('u0', () => base, new History());
}

describe('perform', () => {
  test('follows a multi-step operation, keeps the cookie it was given, and merges parser state', async () => {
    const alice = user();
    const result = await perform(alice, formApp, 'login', { email: 'alice', password: 'pw' });
    expect(result.outcome).toBe('ok');
    expect(result.value?.session?.user).toBe('alice');
    expect(alice.cookies.get('app')).toBe('s1');
    expect(alice.state.vars.greeted).toBe('alice');
    // the second step went out with the cookie the first step set
    const welcome = alice.history.inOrder()[1]!;
    expect(welcome.url).toBe(`${base}/welcome`);
    expect(welcome.requestHeaders.cookie).toBe('app=s1');
  });

  test('normalises an app-shaped answer into cart lines', async () => {
    const result = await perform(user(), formApp, 'getCart', {});
    expect(result.value).toEqual({ id: null, owner: null, items: [{ sku: 'A', quantity: 2 }] });
  });

  test('an answer the parser cannot read names the operation, the adapter and the answer', async () => {
    const failure = perform(user(), formApp, 'whoami', {});
    await expect(failure).rejects.toThrow(UnreadableAnswer);
    await expect(perform(user(), formApp, 'whoami', {})).rejects.toThrow(
      /whoami: adapter "form-app" cannot read the 200 answer \{"half":/,
    );
  });

  test('an operation the adapter lacks is an adapter error, not a request', async () => {
    const anyone = user();
    await expect(perform(anyone, formApp, 'logout', {})).rejects.toThrow(AdapterError);
    expect(anyone.history.exchanges).toHaveLength(0);
  });

  test('contract v1 maps statuses and error codes onto refusals', async () => {
    const result = await perform(user(), contractV1(), 'whoami', {});
    expect(result).toMatchObject({ outcome: 'unauthenticated', code: 'AUTH_REQUIRED', status: 401, value: null });
  });
});

describe('defineAdapter', () => {
  test('names every problem of a broken adapter at once', () => {
    const problems = adapterProblems({
      name: 'broken',
      semantics: {
        ...referenceSemantics,
        identity: 'bearer',
        guestCarts: true,
        logoutEndsAccessTokens: false,
        skus: [],
      },
      operations: { addToBasket: { request: () => ({}), parse: () => ({}) }, getCart: { request: () => ({}) } },
    });
    expect(problems).toEqual([
      expect.stringContaining('operation "addToBasket" is not one sessionproof knows'),
      'operation "getCart" needs a parse(response, context) function',
      'semantics: identity "bearer" has no guests, so `guestCarts` must be false',
      'semantics: `skus` must list at least one product id',
    ]);
    expect(() =>
      defineAdapter({
        name: 'broken',
        operations: {},
        semantics: { ...referenceSemantics, logoutEndsAccessTokens: false, skus: [] },
      }),
    ).toThrow('adapter "broken": semantics: `skus` must list at least one product id');
  });

  test('refused SKUs must each say how they are refused, and none may be sold', () => {
    const problems = adapterProblems({
      name: 'refusing',
      semantics: {
        ...referenceSemantics,
        logoutEndsAccessTokens: false,
        refusedSkus: [
          { sku: 'SKU-0001', outcome: 'not-found' },
          { sku: 'x!', outcome: 'forbidden' as 'invalid' },
        ],
      },
      operations: {},
    });
    expect(problems).toEqual([
      'semantics: "SKU-0001" is both sold (`skus`) and refused (`refusedSkus`)',
      'semantics: each of `refusedSkus` must be {sku: string, outcome: "invalid" | "not-found"}',
    ]);
  });

  test('a signed session cookie must be named', () => {
    const problems = adapterProblems({
      name: 'signing',
      semantics: { ...referenceSemantics, logoutEndsAccessTokens: false, signedSessionCookie: '' },
      operations: {},
    });
    expect(problems).toEqual(['semantics: `signedSessionCookie` must name the session cookie']);
  });

  test('the built-in contract-v1 adapter is well formed', () => {
    expect(adapterProblems(contractV1())).toEqual([]);
  });
});
