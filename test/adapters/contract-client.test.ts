import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ContractClient } from '../../adapters/contract-client.ts';
import { History } from '../../adapters/history.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
    if (request.url === '/set') headers['set-cookie'] = ['sid=abc; path=/; httponly', 'sid.sig=xyz; path=/'];
    if (request.url === '/clear')
      headers['set-cookie'] = ['sid=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT', 'sid.sig=gone; Max-Age=0'];
    response.writeHead(200, headers);
    response.end(
      JSON.stringify({
        cookie: request.headers.cookie ?? null,
        csrf: request.headers['x-csrf-token'] ?? null,
        auth: request.headers.authorization ?? null,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('keeps cookies like a browser: set, sent back, cleared by an expired Set-Cookie', async () => {
  const client = new ContractClient('c0', () => base, new History());
  await client.request('GET', '/set');
  expect((await client.request('GET', '/echo')).body.cookie).toBe('sid=abc; sid.sig=xyz');
  await client.request('GET', '/clear');
  expect(client.cookies.size).toBe(0);
  expect((await client.request('GET', '/echo')).body.cookie).toBeNull();
});

test('sends the CSRF token on unsafe cookie requests only, and the bearer token without cookies', async () => {
  const client = new ContractClient('c0', () => base, new History());
  await client.request('GET', '/set');
  client.csrfToken = 'token';
  client.accessToken = 'jwt';
  expect((await client.request('GET', '/echo')).body.csrf).toBeNull();
  expect((await client.request('POST', '/echo', { body: {} })).body.csrf).toBe('token');
  expect((await client.request('POST', '/echo', { body: {}, csrf: null })).body.csrf).toBeNull();
  const bearer = await client.request('POST', '/echo', { via: 'bearer' });
  expect(bearer.body).toEqual({ cookie: null, csrf: null, auth: 'Bearer jwt' });
});

test('a clone holds copies: what one learns later does not leak into the other', async () => {
  const history = new History();
  const first = new ContractClient('c0', () => base, history);
  await first.request('GET', '/set');
  const second = first.clone('c1');
  await first.request('GET', '/clear');
  expect(second.cookies.get('sid')).toBe('abc');
  expect(history.inOrder().map((exchange) => [exchange.seq, exchange.client, exchange.url.slice(base.length)])).toEqual(
    [
      [0, 'c0', '/set'],
      [1, 'c0', '/clear'],
    ],
  );
});
