import { describe, expect, it } from 'vitest';
import { scenarioColumns, sweepScenarios } from '../../cli/zoo/scenarios.ts';

describe('zoo scenario sweep', () => {
  it(
    'a scenario the faulty server cannot finish fails its checks with the reason, and the sweep goes on',
    { timeout: 120_000 },
    async () => {
      // a new session id on every request: no cart-contention add is ever acknowledged, so that scenario stops
      const sweep = await sweepScenarios({ store: 'memory', faults: ['session-id-per-request'], all: true });
      const contention = sweep.checks.filter((check) => check.scenario === 'cart-contention');
      expect(contention.map((check) => check.column)).toEqual(['cart-contention: lost updates']);
      expect(contention[0]!.passed).toBe(false);
      expect(contention[0]!.message).toMatch(/^stopped: cart-contention: no add was acknowledged/);
      expect(sweep.checks.map((check) => check.column)).toEqual(expect.arrayContaining(scenarioColumns));
      expect(sweep.results.map((result) => result.scenario)).not.toContain('cart-contention');
      expect(sweep.detection).not.toBeNull();
    },
  );
});
