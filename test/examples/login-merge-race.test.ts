import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { History } from '../../adapters/history.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import { walkAdapter } from '../../adapters/walk.ts';
import adapter from '../../examples/login-merge-race/adapter.ts';
import { start, type Started } from '../../examples/login-merge-race/server.ts';
import { linearizable } from '../../properties/families/linearizable.ts';
import { runProperty } from '../../properties/runner.ts';
import { urlTarget } from '../../properties/targets.ts';

/**
 * The login-merge-race example: its adapter walks clean, its one race is shown by hand (a guest add during the
 * login's password check is answered 200 and lost), and `linearizable`, which knows nothing of it, catches it.
 */
let app: Started;

beforeAll(async () => {
  app = await start();
});

afterAll(async () => {
  await app.close();
});

const user = (name: string) => new VirtualUser(name, () => app.url, new History(), adapter.headers);
const account = () => ({ email: `sp-${randomUUID()}@example.test`, password: 'secret-password' });

async function call(client: VirtualUser, method: string, path: string, body?: unknown) {
  const response = await client.send({ method, path, ...(body === undefined ? {} : { body }) }, 'cookie');
  return { status: response.status, body: response.json as any };
}

describe('login-merge-race', () => {
  it('walks clean through its adapter', async () => {
    const steps = await walkAdapter(adapter, user('check'), account());
    expect(steps.flatMap((step) => step.problems)).toEqual([]);
  });

  it('loses a guest add that lands during the login, answered 200', async () => {
    const credentials = account();
    const browser = user('browser');
    expect((await call(browser, 'POST', '/api/users', credentials)).status).toBe(201);
    await call(browser, 'GET', '/api/me');
    await call(browser, 'POST', '/api/cart/items', { sku: 'SKU-0001', quantity: 1 });
    const tab = browser.clone('tab');
    const login = call(browser, 'POST', '/api/login', credentials);
    // the password check takes tens of milliseconds; the add lands inside it
    await new Promise((resolve) => setTimeout(resolve, 5));
    const add = await call(tab, 'POST', '/api/cart/items', { sku: 'SKU-0002', quantity: 2 });
    expect(add.status).toBe(200);
    expect((await login).status).toBe(200);
    const cart = await call(browser, 'GET', '/api/cart');
    expect(cart.body.items).toEqual([{ sku: 'SKU-0001', quantity: 1 }]);
  });

  it('fails linearizable, with no check written for it', { timeout: 120_000 }, async () => {
    const target = await urlTarget([app.url], { adapter });
    const result = await runProperty(linearizable, target, { runs: 300 });
    expect(result.verdict).toBe('failed');
    expect(result.failure!.timeline?.text).toMatch(/^! /m);
    expect(result.failure!.error).toContain('login(');
  });
});
