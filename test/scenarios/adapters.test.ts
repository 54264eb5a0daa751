import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../adapters/adapter.ts';
import expressAdapter from '../../examples/express-session-cart/adapter.ts';
import { start as startExpress } from '../../examples/express-session-cart/server.ts';
import pathAdapter from '../../examples/session-in-path-koa/adapter.ts';
import { start as startPath } from '../../examples/session-in-path-koa/server.ts';
import type { ScenarioResult } from '../../reports/schema.ts';
import { runScenario } from '../../scenarios/run.ts';
import { ScenarioNotApplicable } from '../../scenarios/scenario.ts';

/**
 * The load scenarios through a user's adapter, against example apps shaped unlike contract v1: the same adapter the
 * property suites use drives autocannon's connections, and the scenario's checks judge the app by what it declares.
 */
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

function counter(result: ScenarioResult, name: string): number | undefined {
  return result.counters.find((c) => c.name === name)?.value;
}

const short = { durationSeconds: 2, clients: 8 };

describe('load scenarios through an adapter', () => {
  it('express-session-cart, whose cart lives in the session blob, loses acknowledged adds under contention', async () => {
    const app = await startExpress({ port: 0, sessionMaxAgeMs: 60_000 });
    closers.push(() => app.close());
    const result = await runScenario({
      scenario: 'cart-contention',
      target: app.url,
      adapter: expressAdapter,
      load: short,
      carts: 2,
    });
    expect(result.parameters).toMatchObject({ adapter: 'express-session-cart' });
    expect(counter(result, 'acknowledged adds')).toBeGreaterThan(0);
    expect(counter(result, 'lost updates')).toBeGreaterThan(0);
  }, 60_000);

  describe('session-in-path-koa, written correctly, with the session id in the path', () => {
    let url = '';
    const adapter: Adapter = pathAdapter;
    beforeAll(async () => {
      const app = await startPath({ port: 0 });
      closers.push(() => app.close());
      url = app.url;
    });

    it('cart-contention loses nothing: every acknowledged add is in the cart', async () => {
      const result = await runScenario({ scenario: 'cart-contention', target: url, adapter, load: short, carts: 2 });
      expect(counter(result, 'acknowledged adds')).toBeGreaterThan(0);
      expect(counter(result, 'lost updates')).toBe(0);
    }, 60_000);

    it('session-churn opens a session before each sign-in, and no logout is undone', async () => {
      const result = await runScenario({ scenario: 'session-churn', target: url, adapter, load: short });
      expect(counter(result, 'logins')).toBeGreaterThan(0);
      expect(counter(result, 'failed cycles')).toBe(0);
      expect(counter(result, 'signed-out clients checked')).toBeGreaterThan(0);
      expect(counter(result, 'signed in after logout')).toBe(0);
      // the app has no contract-v1 stats: the live-sessions bound is left out, not passed
      expect(counter(result, 'live sessions over bound')).toBeUndefined();
    }, 60_000);

    it('the scenarios that need contract v1 test controls are not applicable, and say why', async () => {
      await expect(runScenario({ scenario: 'refresh-storm', target: url, adapter })).rejects.toThrow(
        ScenarioNotApplicable,
      );
      const noCart: Adapter = { ...adapter, operations: { ...adapter.operations, addItem: undefined } };
      await expect(runScenario({ scenario: 'cart-contention', target: url, adapter: noCart })).rejects.toThrow(
        /cart-contention: the adapter has no addItem operation/,
      );
    });
  });
});
