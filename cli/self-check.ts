import { ContractClient } from '../adapters/contract-client.ts';
import { History } from '../adapters/history.ts';

/**
 * A short walk through the contract against a running server: the quick start's proof that the server works.
 * Each step prints as it completes; the result is true when every step passed.
 */
interface Step {
  name: string;
  run: () => Promise<void>;
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

export async function runSelfCheck(base: string, password: string): Promise<boolean> {
  const client = new ContractClient('self-check', () => base, new History());
  let guestId = '';
  let refreshToken = '';
  const steps: Step[] = [
    {
      name: 'discovery',
      run: async () =>
        expect((await client.request('GET', '/.well-known/sessionproof')).body['contract'] === 1, 'contract 1'),
    },
    {
      name: 'guest session id is stable',
      run: async () => {
        const first = await client.request('GET', '/session');
        const second = await client.request('GET', '/session');
        [guestId, client.csrfToken] = [first.body.id, first.body.csrfToken];
        expect(first.body['id'] === second.body['id'], 'id changed between requests');
      },
    },
    {
      name: 'guest cart add',
      run: async () => {
        const added = await client.request('POST', '/cart/items', { body: { sku: 'SKU-0001', quantity: 2 } });
        expect(added.status === 200 && added.body.items[0]?.quantity === 2, `add answered ${added.status}`);
      },
    },
    {
      name: 'login rotates and merges',
      run: async () => {
        const login = await client.request('POST', '/auth/login', { body: { email: 'user1@example.test', password } });
        expect(login.status === 200, `login answered ${login.status}`);
        expect(login.body.session.id !== guestId, 'session id did not rotate');
        [client.csrfToken, refreshToken] = [login.body.session.csrfToken, login.body.refreshToken];
        const cart = await client.request('GET', '/cart');
        expect(
          cart.body.items.some((line: { sku: string }) => line.sku === 'SKU-0001'),
          'guest item lost at login',
        );
      },
    },
    {
      name: 'refresh rotates',
      run: async () => {
        const refreshed = await client.request('POST', '/auth/refresh', { body: { refreshToken } });
        expect(refreshed.status === 200 && refreshed.body.refreshToken !== refreshToken, 'refresh did not rotate');
        refreshToken = refreshed.body.refreshToken;
      },
    },
    {
      name: 'logout sticks',
      run: async () => {
        const oldCookie = client.clone('old cookie');
        expect((await client.request('POST', '/auth/logout')).status === 204, 'logout');
        const after = await oldCookie.request('GET', '/session');
        expect(after.body.user === null, 'old cookie still signed in after logout');
        const refreshed = await client.request('POST', '/auth/refresh', { body: { refreshToken } });
        expect(refreshed.status === 401, 'refresh token still works after logout');
      },
    },
  ];
  let passed = true;
  console.log(`self-check against ${base}`);
  for (const step of steps) {
    const started = performance.now();
    try {
      await step.run();
      console.log(`  ok    ${step.name.padEnd(30)} ${(performance.now() - started).toFixed(1)} ms`);
    } catch (error) {
      passed = false;
      console.log(`  FAIL  ${step.name.padEnd(30)} ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return passed;
}
