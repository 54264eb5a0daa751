/**
 * A short walk through the contract against a running server: the quick start's proof that the server works.
 * Each step prints as it completes; the result is true when every step passed.
 */
interface Step {
  name: string;
  run: () => Promise<void>;
}

class Client {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(this.base + path, {
      method,
      headers: {
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

export async function runSelfCheck(base: string, password: string): Promise<boolean> {
  const client = new Client(base);
  let csrf = '';
  let guestId = '';
  let refreshToken = '';
  const steps: Step[] = [
    {
      name: 'discovery',
      run: async () => expect((await client.call('GET', '/.well-known/sessionproof')).body['contract'] === 1, 'contract 1'),
    },
    {
      name: 'guest session id is stable',
      run: async () => {
        const first = await client.call('GET', '/session');
        const second = await client.call('GET', '/session');
        [guestId, csrf] = [first.body['id'], first.body['csrfToken']];
        expect(first.body['id'] === second.body['id'], 'id changed between requests');
      },
    },
    {
      name: 'guest cart add',
      run: async () => {
        const added = await client.call('POST', '/cart/items', { sku: 'SKU-0001', quantity: 2 }, { 'x-csrf-token': csrf });
        expect(added.status === 200 && added.body['items'][0]?.quantity === 2, `add answered ${added.status}`);
      },
    },
    {
      name: 'login rotates and merges',
      run: async () => {
        const login = await client.call('POST', '/auth/login', { email: 'user1@example.test', password }, { 'x-csrf-token': csrf });
        expect(login.status === 200, `login answered ${login.status}`);
        expect(login.body['session'].id !== guestId, 'session id did not rotate');
        [csrf, refreshToken] = [login.body['session'].csrfToken, login.body['refreshToken']];
        const cart = await client.call('GET', '/cart');
        expect(cart.body['items'].some((line: { sku: string }) => line.sku === 'SKU-0001'), 'guest item lost at login');
      },
    },
    {
      name: 'refresh rotates',
      run: async () => {
        const refreshed = await client.call('POST', '/auth/refresh', { refreshToken });
        expect(refreshed.status === 200 && refreshed.body['refreshToken'] !== refreshToken, 'refresh did not rotate');
        refreshToken = refreshed.body['refreshToken'];
      },
    },
    {
      name: 'logout sticks',
      run: async () => {
        const jar = new Map(client.cookies);
        expect((await client.call('POST', '/auth/logout', undefined, { 'x-csrf-token': csrf })).status === 204, 'logout');
        client.cookies = jar;
        const after = await client.call('GET', '/session');
        expect(after.body['user'] === null, 'old cookie still signed in after logout');
        const refreshed = await client.call('POST', '/auth/refresh', { refreshToken });
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
