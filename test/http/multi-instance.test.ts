import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClock } from '../../server/clock.ts';
import { createServer, type ReferenceServer } from '../../server/index.ts';
import { MemoryStore } from '../../server/stores/memory.ts';
import { HttpClient } from '../support/http-client.ts';
import { expectError, minute, password, signIn } from './fixture.ts';

/** Two instances over one store and one clock, as behind a load balancer. */
const store = new MemoryStore();
const clock = createClock();
const servers: ReferenceServer[] = [];
let urls: [string, string];

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    servers.push(
      await createServer({
        store,
        clock,
        config: { testControls: true, logLevel: 'silent', seedUsers: 3, sweepIntervalMs: 0 },
      }),
    );
  }
  urls = [await servers[0]!.listen(), await servers[1]!.listen()];
});
beforeEach(async () => {
  expect((await new HttpClient(urls[0]).post('/__control/reset')).status).toBe(204);
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await store.close();
});

/** The same cookie jar and headers, pointed at the other instance. */
function onOther(client: HttpClient): HttpClient {
  const other = new HttpClient(urls[1]);
  for (const [name, value] of client.cookies) other.cookies.set(name, value);
  Object.assign(other.headers, client.headers);
  return other;
}

describe('instances sharing a store', () => {
  it('a session started on one instance is the same session on the other', async () => {
    const a = new HttpClient(urls[0]);
    const login = await signIn(a);
    const b = onOther(a);
    expect((await b.get('/session')).body.id).toBe(login.session.id);
    expect((await b.post('/cart/items', { sku: 'SKU-0001', quantity: 2 })).status).toBe(200);
    expect((await a.get('/cart')).body.items).toEqual([{ sku: 'SKU-0001', quantity: 2 }]);
  });

  it('logout on one instance ends the cookie, access token and refresh token on the other', async () => {
    const a = new HttpClient(urls[0]);
    const login = await signIn(a);
    const b = onOther(a);
    const api = new HttpClient(urls[1]);
    api.headers['authorization'] = `Bearer ${login.accessToken}`;
    expect((await api.get('/cart')).status).toBe(200);
    expect((await a.post('/auth/logout')).status).toBe(204);
    expect((await b.get('/session')).body.user).toBeNull();
    expectError(await api.get('/cart'), 401, 'AUTH_SESSION_ENDED');
    expectError(
      await new HttpClient(urls[1]).post('/auth/refresh', { refreshToken: login.refreshToken }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
  });

  it('logout-all on one instance ends every session on the other', async () => {
    const first = new HttpClient(urls[0]);
    const second = new HttpClient(urls[1]);
    await signIn(first);
    await signIn(second);
    expect((await second.post('/auth/logout-all')).status).toBe(204);
    expect((await onOther(first).get('/session')).body.user).toBeNull();
    expect((await first.get('/session')).body.user).toBeNull();
  });

  it('refresh reuse detected on one instance ends the family on the other', async () => {
    const login = await signIn(new HttpClient(urls[0]));
    const rotated = await new HttpClient(urls[0]).post('/auth/refresh', { refreshToken: login.refreshToken });
    expect(rotated.status).toBe(200);
    clock.advance(11_000);
    expectError(
      await new HttpClient(urls[1]).post('/auth/refresh', { refreshToken: login.refreshToken }),
      401,
      'REFRESH_TOKEN_REUSED',
    );
    expectError(
      await new HttpClient(urls[0]).post('/auth/refresh', { refreshToken: rotated.body.refreshToken }),
      401,
      'REFRESH_TOKEN_INVALID',
    );
  });

  it('the idle timeout reads the shared clock on both instances', async () => {
    const a = new HttpClient(urls[0]);
    const login = await signIn(a);
    clock.advance(10 * minute);
    expect((await onOther(a).get('/session')).body.id).toBe(login.session.id);
    clock.advance(10 * minute);
    expect((await a.get('/session')).body.id).toBe(login.session.id);
    clock.advance(16 * minute);
    expect((await onOther(a).get('/session')).body.user).toBeNull();
    expect((await new HttpClient(urls[1]).post('/auth/login', { email: 'user2@example.test', password })).status).toBe(
      200,
    );
  });
});
