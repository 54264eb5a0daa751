import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../../server/index.ts';
import { HttpClient } from '../support/http-client.ts';
import { expectError, minute, startServer, visit, type TestServer } from './fixture.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

describe('discovery, health and metrics', () => {
  it('GET /.well-known/sessionproof names the contract version, features and controls', async () => {
    const reply = await t.client().get('/.well-known/sessionproof');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      contract: 1,
      features: { refresh: true, csrf: true, wishlist: true, orders: true },
      controls: { clock: true, sweep: true, users: true, reset: true },
      limits: { maxAddQuantity: 1000, maxLineQuantity: 1_000_000, bodyLimitBytes: 16 * 1024 },
      timeouts: {
        idleMs: 15 * minute,
        absoluteMs: 160 * minute,
        guestIdleMs: 24 * 60 * minute,
        accessTokenMs: 30 * minute,
        refreshGraceMs: 10_000,
        touchWindowMs: 9_000,
      },
      mergeStrategy: 'sum',
    });
    expect(reply.body.skus).toContain('SKU-0001');
  });

  it('GET /health reports the store as reachable', async () => {
    const reply = await t.client().get('/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok', store: { kind: 'memory', reachable: true } });
  });

  it('GET /metrics is Prometheus text with sessionproof_ metrics that count requests', async () => {
    const client = t.client();
    const count = async () => {
      const text = (await client.get('/metrics')).body as string;
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('sessionproof_http_requests_total{') &&
            l.includes('route="/session"') &&
            l.includes('status="200"'),
        );
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    const before = await count();
    await client.get('/session');
    await client.get('/session');
    const reply = await client.get('/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(reply.body).toMatch(/^# HELP sessionproof_http_requests_total /m);
    expect(reply.body).toMatch(/^sessionproof_sessions\{state="live"\} \d+$/m);
    expect(reply.body).toMatch(/^sessionproof_http_request_duration_seconds_bucket\{/m);
    expect(await count()).toBe(before + 2);
  });

  it('echoes a well-formed x-request-id and makes one up otherwise', async () => {
    const client = t.client();
    const given = await client.get('/health', { headers: { 'x-request-id': 'trace-42.a_b' } });
    expect(given.headers.get('x-request-id')).toBe('trace-42.a_b');
    const errorReply = await client.get('/no-such-route', { headers: { 'x-request-id': 'trace-43' } });
    expect(errorReply.headers.get('x-request-id')).toBe('trace-43');
    const first = (await client.get('/health')).headers.get('x-request-id');
    const second = (await client.get('/health')).headers.get('x-request-id');
    expect(first).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(second).not.toBe(first);
    const unsafe = (await client.get('/health', { headers: { 'x-request-id': 'has spaces <script>' } })).headers;
    expect(unsafe.get('x-request-id')).toMatch(/^[A-Za-z0-9_-]{8,}$/);
  });

  it('GET /__control/clock reads the clock and POST advances it', async () => {
    const client = t.client();
    const before = (await client.get('/__control/clock')).body.now as number;
    const advanced = await client.post('/__control/clock', { advanceMs: 60_000 });
    expect(advanced.status).toBe(200);
    expect(advanced.body.now).toBeGreaterThanOrEqual(before + 60_000);
    expect((await client.get('/__control/clock')).body.now).toBeGreaterThanOrEqual(advanced.body.now);
  });

  it('POST /__control/clock freezes the clock at an instant, moves it only by advances, and thaws it', async () => {
    const client = t.client();
    const now = (await client.get('/__control/clock')).body.now as number;
    expectError(await client.post('/__control/clock', { freezeAt: now - 60_000 }), 400, 'VALIDATION_FAILED');
    const frozen = await client.post('/__control/clock', { freezeAt: now + 5_000 });
    expect(frozen.body).toEqual({ now: now + 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await client.get('/__control/clock')).body.now).toBe(now + 5_000);
    expect((await client.post('/__control/clock', { advanceMs: 1 })).body.now).toBe(now + 5_001);
    const thawed = (await client.post('/__control/clock', { thaw: true })).body.now as number;
    expect(thawed).toBeGreaterThanOrEqual(now + 5_001);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await client.get('/__control/clock')).body.now).toBeGreaterThan(thawed);
  });

  it('POST /__control/users creates working accounts', async () => {
    const client = t.client();
    const reply = await client.post('/__control/users', { count: 2 });
    expect(reply.status).toBe(200);
    expect(reply.body.users).toHaveLength(2);
    const [user] = reply.body.users;
    expect(user).toEqual({ email: expect.stringMatching(/@example\.test$/), password: expect.any(String) });
    const login = await client.post('/auth/login', user);
    expect(login.status).toBe(200);
    expect(login.body.user.email).toBe(user.email);
  });

  it('POST /__control/reset empties the store and re-seeds users', async () => {
    const client = t.client();
    const session = await visit(client);
    await t.reset();
    const after = await client.get('/session');
    expect(after.body.id).not.toBe(session.id);
    expect((await client.get('/sessions/stats')).body).toMatchObject({ live: 1, created: 1, ended: 0, swept: 0 });
    expect(
      (await t.client().post('/auth/login', { email: 'user1@example.test', password: 'sessionproof' })).status,
    ).toBe(200);
  });
});

describe('without test controls', () => {
  it('mounts none of /__control and says so in discovery', async () => {
    const server = await createServer({ config: { logLevel: 'silent', seedUsers: 1, sweepIntervalMs: 0 } });
    const client = new HttpClient(await server.listen(0, '127.0.0.1'));
    try {
      await visit(client);
      const probes = [
        client.get('/__control/clock'),
        client.post('/__control/clock', { advanceMs: 1000 }),
        client.post('/__control/sweep'),
        client.post('/__control/reset'),
        client.post('/__control/users', { count: 1 }),
      ];
      for (const reply of await Promise.all(probes)) expectError(reply, 404, 'NOT_FOUND');
      const discovery = await client.get('/.well-known/sessionproof');
      expect(discovery.body.controls).toEqual({
        clock: false,
        freeze: false,
        sweep: false,
        users: false,
        reset: false,
      });
    } finally {
      await server.close();
    }
  });
});
