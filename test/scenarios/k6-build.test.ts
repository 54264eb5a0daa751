import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildK6, k6Scripts } from '../../scenarios/k6-build.ts';
import { definitions, k6Thresholds, scenarioNames } from '../../scenarios/definitions/index.ts';
import { stormJump, type StormDiscovery } from '../../scenarios/definitions/refresh-storm.ts';
import type { ServerConfig } from '../../server/config.ts';
import { startServer } from '../http/fixture.ts';
import type { K6Fake } from './k6-fake/fake.ts';
import { fakeK6, loadScript, removeLoadedScripts } from './k6-fake/load.ts';

const outDir = await mkdtemp(join(tmpdir(), 'sessionproof-k6-'));
afterAll(() => Promise.all([rm(outDir, { recursive: true, force: true }), removeLoadedScripts()]));

/** Every import or require left in a bundle: what k6 will have to resolve itself. */
function importsOf(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:^|\n)\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/g)].map(
    (m) => m[1]!,
  );
  const requires = [...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
  const dynamic = [...source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
  return [...specifiers, ...requires, ...dynamic];
}

describe('k6 scripts', () => {
  it('there is one script per scenario', async () => {
    expect((await k6Scripts()).map((file) => basename(file, '.ts'))).toEqual([...scenarioNames].sort());
  });

  it('bundle with esbuild into one file per scenario that imports only k6 modules', async () => {
    const files = await buildK6({ outDir });
    expect(files.map((file) => basename(file))).toEqual([...scenarioNames].sort().map((name) => `${name}.js`));
    for (const file of files) {
      const source = await readFile(file, 'utf8');
      const imports = importsOf(source);
      expect(imports.length, `${file} imports k6`).toBeGreaterThan(0);
      expect(
        imports.filter((specifier) => specifier !== 'k6' && !specifier.startsWith('k6/')),
        `${file} imports only k6 modules`,
      ).toEqual([]);
      expect(source).not.toMatch(/\bprocess\.(env|argv)|node:/);
      expect(source).toMatch(/export\s*\{[^}]*\boptions\b/);
    }
  });
});

const baseUrl = 'http://k6.test';
const env = { BASE_URL: baseUrl, CLIENTS: '3' };

/** The discovery document of a reference server with `config`: what the k6 scripts read, from the real thing. */
async function discoveryOf(config: Partial<ServerConfig>): Promise<unknown> {
  const server = await startServer(config);
  try {
    return (await server.client().get('/.well-known/sessionproof')).body;
  } finally {
    await server.close();
  }
}

describe('k6 scripts on fake k6 modules', () => {
  it.each(scenarioNames)(
    '%s: thresholds are the definition k6 checks, each on a Counter the script declares',
    async (name) => {
      const fake = fakeK6();
      const script = await loadScript(name, env, fake);
      const thresholds = script.options.thresholds as Record<string, string[]>;
      expect(thresholds).toMatchObject(k6Thresholds(definitions[name]));
      for (const metric of Object.keys(thresholds)) expect(fake.metrics, metric).toHaveProperty(metric);
    },
  );

  it('a metric name is one measure: a k6 check named like a runner check is that same check', () => {
    for (const definition of Object.values(definitions)) {
      for (const check of definition.k6Checks ?? []) {
        const runnerCheck = definition.checks.find((c) => c.metric === check.metric || c.counter === check.counter);
        if (runnerCheck) expect(runnerCheck, `${definition.name}: ${check.metric}`).toBe(check);
      }
    }
  });

  it('cart-contention counts, as lost updates seen by a client, how far a line fell below its last add', async () => {
    const quantities = [1, 2, 5, 3, 4];
    const fake = fakeK6((method, url) => {
      if (url === `${baseUrl}/session`)
        return { status: 200, body: { id: 's1', user: null, csrfToken: 'csrf' }, setCookies: ['sid=s1; Path=/'] };
      if (method === 'POST' && url === `${baseUrl}/cart/items`)
        return { status: 200, body: { items: [{ sku: 'SKU-0001', quantity: quantities.shift() }] } };
      return { status: 500 };
    });
    const script = await loadScript('cart-contention', { ...env, CARTS: '1' }, fake);
    expect(script.options.thresholds).toEqual({ lost_updates_seen: ['count==0'] });
    const data = script.setup();
    for (let i = 0; i < 5; i++) script.default(data);
    // 1, 2, 5 each hold the client's add; 3 is 3 below 5 + 1; 4 holds it again.
    expect(fake.metrics['lost_updates_seen']).toEqual([3]);
    expect(fake.metrics['acknowledged_adds']).toEqual([1, 1, 1, 1, 1]);
  });

  it('cleanup-under-load expires the first share past the guest idle timeout the server reports', async () => {
    const discovery = await discoveryOf({ testControls: true, guestIdleTimeoutMs: 2 * 60 * 60_000 });
    const fake = fakeK6((method, url) => {
      if (url === `${baseUrl}/.well-known/sessionproof`) return { status: 200, body: discovery };
      if (url === `${baseUrl}/session`) return { status: 200, body: { id: 'session' } };
      if (method === 'POST' && url === `${baseUrl}/__control/clock`) return { status: 200, body: { now: 0 } };
      return { status: 500 };
    });
    const script = await loadScript('cleanup-under-load', { ...env, SESSIONS: '4', EXPIRED_SHARE: '0.5' }, fake);
    script.setup();
    const urls = fake.requests.map((r) => (r.method === 'POST' ? `${r.url} ${JSON.stringify(r.body)}` : r.url));
    expect(urls.slice(0, 4)).toEqual([
      `${baseUrl}/.well-known/sessionproof`,
      `${baseUrl}/session`,
      `${baseUrl}/session`,
      `${baseUrl}/__control/clock {"advanceMs":${2 * 60 * 60_000 + 60_000}}`,
    ]);
  });

  describe('refresh-storm setup', () => {
    function storm(discovery: unknown, fake = fakeK6()): K6Fake {
      let logins = 0;
      fake.respond = (method, url, body) => {
        if (url === `${baseUrl}/.well-known/sessionproof`) return { status: 200, body: discovery };
        if (url === `${baseUrl}/__control/users`) {
          const { count } = JSON.parse(body!) as { count: number };
          return {
            status: 200,
            body: { users: Array.from({ length: count }, (_, i) => ({ email: `u${i}`, password: 'p' })) },
          };
        }
        if (url === `${baseUrl}/auth/login`)
          return { status: 200, body: { accessToken: `a${++logins}`, refreshToken: `r${logins}` } };
        if (method === 'POST' && url === `${baseUrl}/__control/clock`) return { status: 200, body: { now: 0 } };
        return { status: 500 };
      };
      return fake;
    }

    it('aborts at once on the reference defaults: 30-minute tokens would outlive the 15-minute sessions', async () => {
      const fake = storm(await discoveryOf({ testControls: true }));
      const script = await loadScript('refresh-storm', env, fake);
      expect(() => script.setup()).toThrow();
      expect(fake.aborted).toMatch(/access tokens live 30 min, sessions end after 15 min \(idle timeout\)/);
      expect(fake.requests.map((r) => r.url)).toEqual([`${baseUrl}/.well-known/sessionproof`]);
    });

    it('aborts at once without clock control', async () => {
      const fake = storm(await discoveryOf({ testControls: false, accessTokenMs: 5 * 60_000 }));
      const script = await loadScript('refresh-storm', env, fake);
      expect(() => script.setup()).toThrow();
      expect(fake.aborted).toMatch(/no clock control/);
    });

    it('aborts when the target has no discovery document', async () => {
      const fake = fakeK6(() => ({ status: 404 }));
      const script = await loadScript('refresh-storm', env, fake);
      expect(() => script.setup()).toThrow();
      expect(fake.aborted).toMatch(/GET \/\.well-known\/sessionproof answered 404/);
    });

    it('signs the clients in and has the storm jump by stormJump of the discovered timeouts', async () => {
      const discovery = (await discoveryOf({ testControls: true, accessTokenMs: 5 * 60_000 })) as StormDiscovery;
      const jump = stormJump(discovery);
      if (!('advanceMs' in jump)) throw new Error(jump.error);
      const fake = storm(discovery);
      const script = await loadScript('refresh-storm', env, fake);
      const data = script.setup();
      expect(fake.aborted).toBeNull();
      expect(data).toEqual({
        tokens: [1, 2, 3].map((i) => ({ accessToken: `a${i}`, refreshToken: `r${i}` })),
        advanceMs: jump.advanceMs,
      });
      script.storm(data);
      expect(fake.requests.at(-1)).toEqual({
        method: 'POST',
        url: `${baseUrl}/__control/clock`,
        body: { advanceMs: 5 * 60_000 + 60_000 },
      });
    });
  });
});
