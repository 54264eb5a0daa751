import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../scenarios/run.ts';
import { provisionStore } from '../support/stores.ts';
import { counter, quiet } from './counters.ts';

/**
 * The scenarios on the shared stores, one each to keep the suite short (every scenario runs on every store through
 * `sessionproof load --store`). Each run gets its own Redis key prefix or PostgreSQL schema (scratch-store.ts) and
 * removes it afterwards.
 */
const redis = await provisionStore('redis');
const postgres = await provisionStore('postgres');

afterAll(async () => {
  await redis.release();
  await postgres.release();
});

describe('load scenarios on the shared stores', () => {
  it.skipIf(redis.url === null)('cart-contention loses no acknowledged add on redis', async () => {
    const result = await runScenario({
      scenario: 'cart-contention',
      store: redis.url!,
      load: { clients: 12, durationSeconds: 1.5 },
      carts: 2,
      ...quiet,
    });
    expect(result.store).toBe('redis');
    expect(counter(result, 'acknowledged adds')).toBeGreaterThan(50);
    expect(counter(result, 'lost updates')).toBe(0);
  });

  it.skipIf(postgres.url === null)(
    'cleanup-under-load sweeps every expired session and no live one on postgres',
    async () => {
      const result = await runScenario({
        scenario: 'cleanup-under-load',
        store: postgres.url!,
        sessions: 800,
        expiredShare: 0.5,
        load: { clients: 4, durationSeconds: 1 },
        ...quiet,
      });
      expect(result.store).toBe('postgres');
      expect(
        counter(result, 'sessions swept in warm-up') +
          counter(result, 'sessions swept') +
          counter(result, 'sessions swept in the budget comparison'),
      ).toBe(400);
      expect(counter(result, 'expired left')).toBe(0);
      expect(counter(result, 'live sessions lost')).toBe(0);
    },
    // Three budgeted sweeps on PostgreSQL after the population: more than the default timeout on a busy machine.
    60_000,
  );
});
