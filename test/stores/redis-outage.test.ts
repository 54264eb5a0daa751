import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type ReferenceServer } from '../../server/index.ts';
import { openStore } from '../../server/stores/index.ts';
import type { Store } from '../../server/stores/store.ts';
import { CookieClient, type ClientResponse } from '../support/http-client.ts';

/**
 * A real outage: this test runs a Redis server of its own (never the shared one), stops it mid-run and starts it
 * again on the same port and data directory. AOF with fsync on every write is what makes an acknowledged write
 * durable across the restart, so every write the server answered 200 to must be there afterwards.
 */
const redisServer = spawnSync('redis-server', ['--version']).status === 0;
const required = process.env.SESSIONPROOF_REQUIRE_STORES === '1';
if (!redisServer && required) throw new Error('SESSIONPROOF_REQUIRE_STORES=1 but redis-server is not on PATH');
if (!redisServer) console.warn('[sessionproof] skipping the Redis outage test: redis-server is not on PATH');

const promptMs = 2000;

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Starts redis-server in the foreground and resolves once it accepts connections (data loaded). */
async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--logfile',
      '',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${log}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${log}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

async function stopRedis(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Polls /health (bounded) until the store answers again. */
async function waitUntilHealthy(client: CookieClient): Promise<ClientResponse> {
  const deadline = Date.now() + 10_000;
  let health = await client.request('GET', '/health');
  while (health.status !== 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    health = await client.request('GET', '/health');
  }
  return health;
}

function expectUnavailable(reply: ClientResponse, what: string, withinMs = promptMs): void {
  expect({ what, status: reply.status, code: reply.body?.error?.code }).toEqual({
    what,
    status: 503,
    code: 'STORE_UNAVAILABLE',
  });
  expect(reply.elapsedMs, `${what} answered in ${reply.elapsedMs.toFixed(0)} ms`).toBeLessThan(withinMs);
}

describe.skipIf(!redisServer)('Redis outage: stop and restart a real redis-server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sessionproof-redis-'));
  let redis: ChildProcess | null = null;
  let store: Store | null = null;
  let server: ReferenceServer | null = null;

  afterAll(async () => {
    await server?.close();
    await store?.close();
    if (redis) await stopRedis(redis);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 promptly while Redis is down, stays up, and serves every acknowledged write once it is back', async () => {
    const port = await freePort();
    redis = await startRedis(port, dir);
    store = await openStore(`redis://127.0.0.1:${port}?prefix=sp-outage-${randomBytes(4).toString('hex')}:`);
    server = await createServer({ store, config: { logLevel: 'silent', seedUsers: 1, sweepIntervalMs: 0 } });
    const url = await server.listen(0, '127.0.0.1');

    const guest = new CookieClient(url);
    const user = new CookieClient(url);
    const guestSession = (await guest.request('GET', '/session')).body;
    await user.request('GET', '/session');
    const login = await user.request('POST', '/auth/login', { email: 'user1@example.test', password: 'sessionproof' });
    expect(login.status).toBe(200);

    const acknowledged = { guest: new Map<string, number>(), user: new Map<string, number>() };
    for (let i = 0; i < 30; i++) {
      const [client, totals] = i % 2 === 0 ? [guest, acknowledged.guest] : [user, acknowledged.user];
      const sku = `SKU-000${1 + (i % 4)}`;
      const quantity = 1 + (i % 5);
      const reply = await client.request('POST', '/cart/items', { sku, quantity });
      expect(reply.status).toBe(200);
      totals.set(sku, (totals.get(sku) ?? 0) + quantity);
    }
    expect((await user.request('PUT', '/wishlist/items/SKU-0007')).status).toBe(200);

    // A Redis that hangs rather than goes away: the command timeout bounds the request. Reads only, since a write
    // that timed out may still apply once Redis resumes.
    redis.kill('SIGSTOP');
    try {
      expectUnavailable(await guest.request('GET', '/cart'), 'GET /cart while Redis hangs');
      const hung = await guest.request('GET', '/health');
      expect(hung.status).toBe(503);
      expect(hung.elapsedMs).toBeLessThan(promptMs);
    } finally {
      redis.kill('SIGCONT');
    }

    // Killed outright in the middle of a burst of adds: each answer is 200 or 503, and the 200s are the floor of
    // what must be stored after the restart (a 503 may or may not have applied, but nothing applies twice).
    const burst = 300;
    let answered = 0;
    let killed: Promise<void> | undefined;
    const replies = await Promise.all(
      Array.from({ length: burst }, async () => {
        const reply = await guest.request('POST', '/cart/items', { sku: 'SKU-0009', quantity: 1 });
        if (reply.status === 200 && ++answered === 20) killed = stopRedis(redis!, 'SIGKILL');
        return reply;
      }),
    );
    await killed;
    const burstAcknowledged = replies.filter((reply) => reply.status === 200).length;
    // Each of these also queued behind hundreds of others in this one process, so the bound is looser: no hang.
    for (const reply of replies.filter((reply) => reply.status !== 200)) {
      expectUnavailable(reply, 'an add cut off by the kill', 3 * promptMs);
    }
    expect(burstAcknowledged).toBeGreaterThanOrEqual(20);
    expect(burstAcknowledged, 'the kill landed mid-burst').toBeLessThan(burst);

    expectUnavailable(await guest.request('GET', '/cart'), 'GET /cart');
    expectUnavailable(await guest.request('POST', '/cart/items', { sku: 'SKU-0001', quantity: 1 }), 'POST /cart/items');
    expectUnavailable(await user.request('GET', '/session'), 'GET /session');
    expectUnavailable(await user.request('POST', '/orders'), 'POST /orders');
    expectUnavailable(await new CookieClient(url).request('GET', '/session'), 'a new visitor');
    const health = await guest.request('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.store).toMatchObject({ kind: 'redis', reachable: false });
    expect(health.elapsedMs).toBeLessThan(promptMs);
    // The process is up and answers what does not need the store.
    expect((await guest.request('GET', '/.well-known/sessionproof')).status).toBe(200);

    redis = await startRedis(port, dir);
    expect((await waitUntilHealthy(guest)).body).toMatchObject({
      status: 'ok',
      store: { kind: 'redis', reachable: true },
    });

    const sorted = (totals: Map<string, number>) =>
      [...totals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([sku, quantity]) => ({ sku, quantity }));
    const guestCart = await guest.request('GET', '/cart');
    expect(guestCart.status).toBe(200);
    const burstLine = guestCart.body.items.find((line: { sku: string }) => line.sku === 'SKU-0009');
    expect(burstLine.quantity).toBeGreaterThanOrEqual(burstAcknowledged);
    expect(burstLine.quantity).toBeLessThanOrEqual(burst);
    expect(guestCart.body).toMatchObject({
      owner: 'guest',
      items: sorted(acknowledged.guest.set('SKU-0009', burstLine.quantity)),
    });
    expect((await guest.request('GET', '/session')).body.id).toBe(guestSession.id);
    expect((await user.request('GET', '/cart')).body).toMatchObject({
      owner: 'user',
      items: sorted(acknowledged.user),
    });
    expect((await user.request('GET', '/wishlist')).body.items).toMatchObject([{ productId: 'SKU-0007' }]);
    expect((await user.request('GET', '/session')).body.id).toBe(login.body.session.id);
    const again = await guest.request('POST', '/cart/items', { sku: 'SKU-0001', quantity: 1 });
    expect(again.status).toBe(200);

    // A graceful stop (SIGTERM) and a second restart: the same again.
    await stopRedis(redis, 'SIGTERM');
    expectUnavailable(await user.request('GET', '/cart'), 'GET /cart after SIGTERM');
    redis = await startRedis(port, dir);
    expect((await waitUntilHealthy(user)).status).toBe(200);
    expect((await user.request('GET', '/cart')).body).toMatchObject({
      owner: 'user',
      items: sorted(acknowledged.user),
    });
  });
});
