import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../adapters/adapter.ts';
import bearerAdapter from '../../examples/bearer-jwt-pg/adapter.ts';
import { start as startBearer } from '../../examples/bearer-jwt-pg/server.ts';
import expressAdapter from '../../examples/express-session-cart/adapter.ts';
import { start as startExpress } from '../../examples/express-session-cart/server.ts';
import pathAdapter from '../../examples/session-in-path-koa/adapter.ts';
import { start as startPath } from '../../examples/session-in-path-koa/server.ts';
import { families } from '../../properties/families/index.ts';
import { runProperty, type PropertyResult } from '../../properties/runner.ts';
import { urlTarget } from '../../properties/targets.ts';
import { provisionStore } from '../support/stores.ts';

/**
 * The property suites through each example's adapter, as a user runs them against an app of their own: the correct
 * example passes every property that applies, and each known bug of the others is caught by the property that names
 * it, and by no other. Runs here are few, for CI's sake; docs/adapters.md gives the soak commands.
 */
const postgres = await provisionStore('postgres');
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await postgres.release();
});

/** Every family against the app: the ones named in `failing` must fail (within `maxRuns`), the rest must not. */
async function suites(url: string, adapter: Adapter, failing: string[], runs: number, maxRuns = 200) {
  const target = await urlTarget([url], { adapter });
  const results = new Map<string, PropertyResult>();
  for (const family of families) {
    const result = await runProperty(family, target, { runs: failing.includes(family.name) ? maxRuns : runs });
    results.set(family.name, result);
  }
  const failed = [...results.values()].filter((result) => result.verdict === 'failed').map((result) => result.name);
  const errors = [...results.values()].flatMap((result) =>
    result.failure ? [`${result.name}: ${result.failure.error}`] : [],
  );
  expect(failed, errors.join('\n')).toEqual(failing);
  return results;
}

describe('the suites through example adapters', () => {
  it('session-in-path-koa, written correctly, passes every property that applies', async () => {
    const app = await startPath({ port: 0 });
    closers.push(() => app.close());
    const results = await suites(app.url, pathAdapter, [], 25);
    // what needs a cookie, a refresh token or a clock is not applicable, and says why
    expect(results.get('strict-mode')).toMatchObject({
      verdict: 'not applicable',
      reason: expect.stringContaining('session cookie'),
    });
    expect(results.get('refresh-rotation')).toMatchObject({ verdict: 'not applicable' });
    expect(results.get('csrf-binding')!.verdict).toBe('passed');
    // linearizable applies to a session id in the path: first contact is openSession
    expect(results.get('linearizable')!.verdict).toBe('passed');
  }, 240_000);

  it('express-session-cart: lost updates and the logout undone by a request in flight, each named once', async () => {
    const app = await startExpress({ port: 0, sessionMaxAgeMs: 60_000 });
    closers.push(() => app.close());
    // linearizable, which names no bug, sees the same races as histories no order explains
    const results = await suites(app.url, expressAdapter, ['no-lost-updates', 'invalidation', 'linearizable'], 10);
    expect(results.get('no-lost-updates')!.failure!.error).toMatch(/ParallelBatch.*expected cart/);
    expect(results.get('invalidation')!.failure!.error).toMatch(/ended session is signed in as .* again/);
    expect(results.get('invalidation')!.failure!.commands).toMatch(/LogoutDuringRequest/);
  }, 300_000);

  describe.skipIf(postgres.url === null)('on PostgreSQL', () => {
    it('bearer-jwt-pg: refresh without a grace window signs the user out, named by refresh-rotation and linearizable', async () => {
      const schema = `bearer_suites_${randomBytes(6).toString('hex')}`;
      const app = await startBearer({
        databaseUrl: postgres.url!,
        schema,
        jwtSecret: randomBytes(32).toString('base64url'),
        accessTokenTtlSeconds: 60,
      });
      closers.push(async () => {
        await app.close();
        const client = new pg.Client({ connectionString: postgres.url! });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
        await client.end();
      });
      const results = await suites(app.url, bearerAdapter, ['refresh-rotation', 'linearizable'], 10);
      expect(results.get('refresh-rotation')!.failure!.commands).toMatch(/Refresh/);
      expect(results.get('merge-correctness')).toMatchObject({ verdict: 'not applicable' });
      // two refreshes of one family (at once, or one back inside the window): no order explains the answers
      expect(results.get('linearizable')!.failure!.commands).toMatch(/refresh\(.*refresh\(/);
    }, 300_000);
  });
});
