import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perform } from '../../adapters/engine.ts';
import { History } from '../../adapters/history.ts';
import type { Account } from '../../adapters/types.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import { walkAdapter } from '../../adapters/walk.ts';
import adapter from '../../examples/bearer-jwt-pg/adapter.ts';
import { start, type Started } from '../../examples/bearer-jwt-pg/server.ts';
import { sessionproof } from '../cli/spawn.ts';
import { provisionStore } from '../support/stores.ts';

/**
 * The bearer-JWT example through its adapter, on a real PostgreSQL in a schema of this file's own: `adapter check`
 * walks it clean, and direct operations through the engine show the mapping (tokens kept in the user's state, a cart
 * per user, refresh rotation and its refusals, logout that leaves access tokens alive).
 */
const postgres = await provisionStore('postgres');
const schema = `bearer_jwt_pg_adapter_${randomBytes(6).toString('hex')}`;
const jwtSecret = randomBytes(32).toString('base64url');
const adapterFile = fileURLToPath(new URL('../../examples/bearer-jwt-pg/adapter.ts', import.meta.url));
let app: Started;

beforeAll(async () => {
  if (!postgres.url) return;
  // the access token lifetime the adapter declares, which its test deployment is started with
  app = await start({ databaseUrl: postgres.url, schema, jwtSecret, accessTokenTtlSeconds: 60 });
});

afterAll(async () => {
  if (postgres.url) {
    await app?.close();
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
  }
  await postgres.release();
});

const account = (): Account => ({
  email: `sp-${randomBytes(6).toString('hex')}@example.test`,
  password: 'secret-password',
});
const userOf = (name = 'u') => new VirtualUser(name, () => app.url, new History(), adapter.headers);
const bearer = { via: 'bearer' } as const;

async function signedIn(credentials = account()): Promise<VirtualUser> {
  const user = userOf();
  expect((await perform(user, adapter, 'register', credentials, bearer)).outcome).toBe('ok');
  expect((await perform(user, adapter, 'login', credentials, bearer)).outcome).toBe('ok');
  return user;
}

describe.skipIf(postgres.url === null)('bearer-jwt-pg through its adapter', () => {
  it('adapter check: walks every operation the adapter offers without a mismatch', async () => {
    const steps = await walkAdapter(adapter, userOf('check'), account());
    expect(steps.flatMap((step) => step.problems)).toEqual([]);
    // no guest cart (bearer only): the account first, then the cart, refresh, checkout and logout
    expect(steps.map((step) => step.operation)).toEqual([
      'register',
      'login',
      'whoami',
      'getCart',
      'addItem',
      'addItem',
      'setQuantity',
      'removeItem',
      'refresh',
      'addItem',
      'checkout',
      'listOrders',
      'logout',
    ]);
  });

  it('refuses cart writes without a token; add increments one line of a cart that belongs to the user', async () => {
    const guest = userOf('guest');
    expect(await perform(guest, adapter, 'addItem', { sku: 'SKU-0001', quantity: 1 }, bearer)).toMatchObject({
      outcome: 'unauthenticated',
      code: 'invalid_token',
    });
    expect((await perform(guest, adapter, 'whoami', {}, { via: 'none' })).outcome).toBe('unauthenticated');

    const credentials = account();
    const user = await signedIn(credentials);
    expect(user.state.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(user.cookies.size).toBe(0);
    expect((await perform(user, adapter, 'whoami', {}, bearer)).value).toEqual({
      id: null,
      user: credentials.email,
      csrfToken: null,
    });
    await perform(user, adapter, 'addItem', { sku: 'SKU-0002', quantity: 2 }, bearer);
    const added = await perform(user, adapter, 'addItem', { sku: 'SKU-0002', quantity: 3 }, bearer);
    expect(added.value).toEqual({ id: null, owner: 'user', items: [{ sku: 'SKU-0002', quantity: 5 }] });
    expect(await perform(user, adapter, 'addItem', { sku: 'SKU-9999', quantity: 1 }, bearer)).toMatchObject({
      outcome: 'invalid',
      code: 'unknown_sku',
    });
    expect(
      (await perform(user, adapter, 'setQuantity', { sku: 'SKU-0003', quantity: 4 }, bearer)).value?.items,
    ).toEqual([
      { sku: 'SKU-0002', quantity: 5 },
      { sku: 'SKU-0003', quantity: 4 },
    ]);

    // another login of the same user is a new token family that reaches the same cart
    const other = userOf('other');
    expect(await perform(other, adapter, 'login', { ...credentials, password: 'wrong-one' }, bearer)).toMatchObject({
      outcome: 'unauthenticated',
      code: 'invalid_grant',
    });
    await perform(other, adapter, 'login', credentials, bearer);
    expect(other.state.refreshToken).not.toBe(user.state.refreshToken);
    expect((await perform(other, adapter, 'getCart', {}, bearer)).value?.items).toHaveLength(2);

    const order = await perform(other, adapter, 'checkout', { idempotencyKey: null, note: 0 }, bearer);
    expect(order.value?.items).toEqual([
      { sku: 'SKU-0002', quantity: 5 },
      { sku: 'SKU-0003', quantity: 4 },
    ]);
    expect(await perform(user, adapter, 'checkout', { idempotencyKey: null, note: 0 }, bearer)).toMatchObject({
      outcome: 'cart-empty',
      code: 'cart_empty',
    });
    expect((await perform(user, adapter, 'listOrders', {}, bearer)).value).toEqual([order.value]);
  });

  it('refresh rotates the pair; an older token is refused and its family with it', async () => {
    const user = await signedIn();
    const first = user.state.refreshToken!;
    const refreshed = await perform(user, adapter, 'refresh', { refreshToken: first }, bearer);
    expect(refreshed.outcome).toBe('ok');
    expect(refreshed.value!.refreshToken).not.toBe(first);
    expect(user.state.refreshToken).toBe(refreshed.value!.refreshToken);
    expect(user.state.accessToken).toBe(refreshed.value!.accessToken);
    const second = user.state.refreshToken!;
    expect((await perform(user, adapter, 'refresh', { refreshToken: second }, bearer)).outcome).toBe('ok');
    const latest = user.state.refreshToken!;

    // Two generations back is reuse under any grace window. The app answers it like any token it will not take
    // (401 invalid_grant) and revokes the family: the latest token stops working too.
    expect(await perform(user, adapter, 'refresh', { refreshToken: first }, bearer)).toMatchObject({
      outcome: 'refresh-invalid',
      code: 'invalid_grant',
    });
    expect((await perform(user, adapter, 'refresh', { refreshToken: latest }, bearer)).outcome).toBe('refresh-invalid');
    expect((await perform(user, adapter, 'refresh', { refreshToken: 'not-a-token' }, bearer)).outcome).toBe(
      'refresh-invalid',
    );
  });

  it('logout ends the refresh token; the access token lives until exp; logout-all ends every login', async () => {
    const credentials = account();
    const user = await signedIn(credentials);
    const other = userOf('other');
    await perform(other, adapter, 'login', credentials, bearer);

    expect(await perform(user, adapter, 'logout', {}, bearer)).toMatchObject({ outcome: 'ok', status: 204 });
    const refreshToken = user.state.refreshToken!;
    expect((await perform(user, adapter, 'refresh', { refreshToken }, bearer)).outcome).toBe('refresh-invalid');
    // logoutEndsAccessTokens: false, as declared
    expect((await perform(user, adapter, 'whoami', {}, bearer)).value?.user).toBe(credentials.email);
    // the other login is untouched until logout-all
    expect((await perform(other, adapter, 'getCart', {}, bearer)).outcome).toBe('ok');
    expect((await perform(other, adapter, 'logoutAll', {}, bearer)).outcome).toBe('ok');
    expect(
      (await perform(other, adapter, 'refresh', { refreshToken: other.state.refreshToken! }, bearer)).outcome,
    ).toBe('refresh-invalid');
  });

  it(
    'sessionproof adapter check --adapter examples/bearer-jwt-pg/adapter.ts exits 0',
    { timeout: 120_000 },
    async () => {
      const result = await sessionproof(['adapter', 'check', '--target', app.url, '--adapter', adapterFile]);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^adapter bearer-jwt-pg against /m);
      expect(result.stdout).toMatch(/"identity":"bearer"/);
      expect(result.stdout).toContain(
        'offers: register, login, whoami, logout, logoutAll, refresh, getCart, addItem, setQuantity, removeItem, ' +
          'checkout, listOrders\n' +
          'absent (what needs them is not applicable): openSession, listSessions, endSession, getWishlist, ' +
          'wishlistPut, wishlistDelete\n',
      );
      expect(result.stdout).toMatch(/^ok {2}refresh {9}POST \/auth\/refresh -> 200/m);
      expect(result.stdout).toMatch(/^ok {2}checkout/m);
      expect(result.stdout).toMatch(/^13 of 13 operations matched$/m);
      expect(result.code).toBe(0);
    },
  );
});
