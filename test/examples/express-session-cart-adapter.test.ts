import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perform } from '../../adapters/engine.ts';
import { History } from '../../adapters/history.ts';
import type { Account } from '../../adapters/types.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import { walkAdapter } from '../../adapters/walk.ts';
import adapter from '../../examples/express-session-cart/adapter.ts';
import { start, type StartOptions, type Started } from '../../examples/express-session-cart/server.ts';
import { sessionproof } from '../cli/spawn.ts';
import { provisionStore } from '../support/stores.ts';

/**
 * The express-session example through its adapter: `adapter check` walks it clean on the MemoryStore and on
 * connect-redis, and direct operations through the engine show the mapping keeps what the adapter declares (a guest
 * is a session, add increments, login adopts the guest cart into a new session, logout leaves a guest).
 */
const adapterFile = fileURLToPath(new URL('../../examples/express-session-cart/adapter.ts', import.meta.url));
const redis = await provisionStore('redis');
const redisPrefix = `test:express-session-cart-adapter:${randomUUID()}:`;
// the timeout the adapter declares, which its test deployment is started with
const deployment: StartOptions = { sessionMaxAgeMs: 60_000, lookupDelayMs: 1 };

afterAll(async () => {
  if (redis.url) {
    const client = createClient({ url: redis.url });
    await client.connect();
    const keys = await client.keys(`${redisPrefix}*`);
    if (keys.length > 0) await client.del(keys);
    await client.close();
  }
  await redis.release();
});

const account = (): Account => ({ email: `sp-${randomUUID()}`, password: 'secret-password' });
const userOf = (app: Started, name = 'u') => new VirtualUser(name, () => app.url, new History(), adapter.headers);

describe.each([
  ['MemoryStore', {}],
  ['connect-redis', redis.url ? { redisUrl: redis.url, redisPrefix } : null],
] as Array<[string, StartOptions | null]>)('adapter check of express-session-cart on %s', (_name, store) => {
  it.skipIf(store === null)('walks every operation the adapter offers without a mismatch', async () => {
    const app = await start({ ...deployment, ...store });
    try {
      const steps = await walkAdapter(adapter, userOf(app, 'check'), account());
      expect(steps.flatMap((step) => step.problems)).toEqual([]);
      // a guest cart first (guests have carts, a write opens the session), then the account; no tokens, no orders
      expect(steps.map((step) => step.operation)).toEqual([
        'getCart',
        'addItem',
        'addItem',
        'setQuantity',
        'removeItem',
        'register',
        'login',
        'whoami',
        'logout',
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('express-session-cart operations through the engine', () => {
  let app: Started;
  beforeAll(async () => {
    app = await start(deployment);
  });
  afterAll(async () => {
    await app.close();
  });

  it('a first write opens a guest session; add increments one line; set and remove work on any line', async () => {
    const user = userOf(app);
    expect(await perform(user, adapter, 'whoami', {})).toMatchObject({
      outcome: 'ok',
      value: { id: null, user: null },
    });
    const fresh = userOf(app);
    expect(fresh.cookies.size).toBe(0);
    expect((await perform(fresh, adapter, 'addItem', { sku: '2', quantity: 2 })).outcome).toBe('ok');
    expect(fresh.cookies.has('connect.sid')).toBe(true);
    const again = await perform(fresh, adapter, 'addItem', { sku: '2', quantity: 3 });
    expect(again.value?.items).toEqual([{ sku: '2', quantity: 5 }]);

    // update of a line the cart lacks answers 404 not_in_cart; setQuantity still sets it (by an add) ...
    const set = await perform(fresh, adapter, 'setQuantity', { sku: '3', quantity: 4 });
    expect(set).toMatchObject({ outcome: 'ok', status: 200 });
    expect(set.value?.items).toEqual([
      { sku: '2', quantity: 5 },
      { sku: '3', quantity: 4 },
    ]);
    expect(fresh.history.exchanges.slice(-2).map((exchange) => exchange.status)).toEqual([404, 200]);
    // ... and setting it to 0 leaves the cart as it is
    expect((await perform(fresh, adapter, 'setQuantity', { sku: '7', quantity: 0 })).value?.items).toHaveLength(2);
    expect((await perform(fresh, adapter, 'setQuantity', { sku: '2', quantity: 0 })).value?.items).toEqual([
      { sku: '3', quantity: 4 },
    ]);
    expect((await perform(fresh, adapter, 'removeItem', { sku: '9' })).value?.items).toHaveLength(1);

    expect(await perform(fresh, adapter, 'addItem', { sku: '3', quantity: 96 })).toMatchObject({
      outcome: 'invalid',
      code: 'quantity_limit',
    });
    expect(await perform(fresh, adapter, 'addItem', { sku: '999', quantity: 1 })).toMatchObject({
      outcome: 'invalid',
      code: 'product_not_found',
    });
  });

  it('login adopts the guest cart into a new session; the old cookie is a guest again', async () => {
    const credentials = account();
    const elsewhere = userOf(app, 'elsewhere');
    expect((await perform(elsewhere, adapter, 'register', credentials)).outcome).toBe('ok');
    expect(await perform(elsewhere, adapter, 'login', { ...credentials, password: 'wrong-one' })).toMatchObject({
      outcome: 'unauthenticated',
      code: 'invalid_credentials',
    });
    expect((await perform(elsewhere, adapter, 'login', credentials)).outcome).toBe('ok');
    await perform(elsewhere, adapter, 'addItem', { sku: '1', quantity: 5 });

    const browser = userOf(app, 'browser');
    await perform(browser, adapter, 'addItem', { sku: '1', quantity: 2 });
    await perform(browser, adapter, 'addItem', { sku: '2', quantity: 1 });
    const beforeLogin = browser.clone('before-login');
    const login = await perform(browser, adapter, 'login', credentials);
    expect(login).toMatchObject({
      outcome: 'ok',
      value: { session: { user: credentials.email }, accessToken: null, refreshToken: null },
    });
    expect(browser.cookies.get('connect.sid')).not.toBe(beforeLogin.cookies.get('connect.sid'));
    expect((await perform(browser, adapter, 'whoami', {})).value?.user).toBe(credentials.email);
    // adopt: the guest cart as it was, not merged with the cart of the user's other session (carts are per session)
    expect((await perform(browser, adapter, 'getCart', {})).value?.items).toEqual([
      { sku: '1', quantity: 2 },
      { sku: '2', quantity: 1 },
    ]);
    expect((await perform(elsewhere, adapter, 'getCart', {})).value?.items).toEqual([{ sku: '1', quantity: 5 }]);
    // rotation: the pre-login cookie reaches no session any more, so it is a fresh guest with an empty cart
    expect((await perform(beforeLogin, adapter, 'whoami', {})).value?.user).toBeNull();
    expect((await perform(beforeLogin, adapter, 'getCart', {})).value?.items).toEqual([]);
  });

  it('logout leaves a guest with an empty cart', async () => {
    const credentials = account();
    const user = userOf(app);
    await perform(user, adapter, 'register', credentials);
    await perform(user, adapter, 'login', credentials);
    await perform(user, adapter, 'addItem', { sku: '1', quantity: 1 });
    const stale = user.clone('stale');
    expect(await perform(user, adapter, 'logout', {})).toMatchObject({ outcome: 'ok', value: null });
    expect(user.cookies.has('connect.sid')).toBe(false);
    expect((await perform(user, adapter, 'whoami', {})).value).toEqual({ id: null, user: null, csrfToken: null });
    expect((await perform(user, adapter, 'getCart', {})).value?.items).toEqual([]);
    expect((await perform(stale, adapter, 'whoami', {})).value?.user).toBeNull();
  });
});

describe('sessionproof adapter check --adapter examples/express-session-cart/adapter.ts', () => {
  it('exits 0 with every operation matched', { timeout: 120_000 }, async () => {
    const app = await start(deployment);
    try {
      const result = await sessionproof(['adapter', 'check', '--target', app.url, '--adapter', adapterFile]);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^adapter express-session-cart against /m);
      expect(result.stdout).toMatch(/"cartScope":"session"/);
      expect(result.stdout).toContain(
        'offers: register, login, whoami, logout, getCart, addItem, setQuantity, removeItem\n' +
          'absent (what needs them is not applicable): openSession, logoutAll, refresh, listSessions, endSession, ' +
          'checkout, listOrders, getWishlist, wishlistPut, wishlistDelete\n',
      );
      expect(result.stdout).toMatch(/^ok {2}setQuantity/m);
      expect(result.stdout).toMatch(/^ok {2}whoami/m);
      expect(result.stdout).toMatch(/^9 of 9 operations matched$/m);
      expect(result.code).toBe(0);
    } finally {
      await app.close();
    }
  });
});
