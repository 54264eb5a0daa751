import { describe, expect, it } from 'vitest';
import { runScenario } from '../../scenarios/run.ts';
import { counter, figure, quiet } from './counters.ts';

/** The scenarios at a small size on the memory store, clean server first, then the faults they must catch (the refresh
 * storm has its own file). */
describe('load scenarios on the memory store', () => {
  // The clean cart-contention run on memory is cli.test.ts's end-to-end run.
  it('cart-contention: the cart-in-session fault loses acknowledged adds', async () => {
    const result = await runScenario({
      scenario: 'cart-contention',
      faults: ['cart-in-session'],
      load: { clients: 16, durationSeconds: 1.5 },
      carts: 2,
      ...quiet,
    });
    expect(counter(result, 'lost updates')).toBeGreaterThan(0);
  });

  // A population and three sweeps (the server's budget and two compared): more than the default timeout on a busy machine.
  it('cleanup-under-load: the sweep removes every expired session and no live one', async () => {
    const result = await runScenario({
      scenario: 'cleanup-under-load',
      sessions: 2000,
      expiredShare: 0.5,
      load: { clients: 8, durationSeconds: 1 },
      ...quiet,
    });
    // A fifth of the 1000 expired per comparison budget (25 %, 100 %), a twentieth swept in warm-up; the server's own
    // budget sweeps the rest.
    expect(counter(result, 'sessions swept in warm-up')).toBe(50);
    expect(counter(result, 'sessions expired before the sweep')).toBe(550);
    expect(counter(result, 'sessions swept')).toBe(550);
    expect(counter(result, 'expired left')).toBe(0);
    expect(counter(result, 'live sessions lost')).toBe(0);
    expect(counter(result, 'sampled passive sessions checked')).toBeGreaterThan(100);
    expect(counter(result, 'sessions swept in the budget comparison')).toBe(400);
    expect(result.phases.map((p) => p.name)).toEqual([
      'before-sweep',
      'during-sweep',
      'after-sweep',
      'during-sweep-budget-25',
      'after-sweep-budget-25',
      'during-sweep-budget-100',
      'after-sweep-budget-100',
    ]);
    expect(figure(result, 'warm-up')).toBeGreaterThanOrEqual(0.5);
    // Each ratio's baseline is the windows either side of its sweep: all of them held traffic.
    for (const suffix of ['', ' at 25% budget', ' at 100% budget']) {
      expect(figure(result, `live throughput during / around sweep${suffix}`)).toBeGreaterThan(0);
      expect(figure(result, `live throughput after / before sweep${suffix}`)).toBeGreaterThan(0);
    }
    expect(figure(result, 'sweep rate')).toBeGreaterThan(0);
    expect(figure(result, 'sweep budget')).toBe(5);
    expect(figure(result, 'sweep slice budget')).toBe(2);
    expect(figure(result, 'sweep slices')).toBeGreaterThan(1);
    expect(figure(result, 'sweep rate at 100% budget')).toBeGreaterThan(0);
    // Both processes were busy in each window, and their GC is counted, so a reader can tell who held the throughput.
    for (const window of [' before the sweep', ' during the sweep', ' during the sweep at 100% budget']) {
      expect(figure(result, `server CPU share${window}`)).toBeGreaterThan(0);
      expect(figure(result, `generator CPU share${window}`)).toBeGreaterThan(0);
      expect(figure(result, `server GC pauses${window}`)).toBeGreaterThanOrEqual(0);
    }
    expect(figure(result, 'server event-loop delay p99 before the sweep')).toBeGreaterThanOrEqual(0);
    expect(figure(result, 'server RSS per live session')).toBeGreaterThan(0);
    expect(result.memory?.before.rssBytes).toBeGreaterThan(0);
  }, 60_000);

  it('cleanup-under-load refuses comparison groups too small to time, before creating any session', async () => {
    await expect(
      runScenario({
        scenario: 'cleanup-under-load',
        sessions: 200,
        compareBudgets: Array.from({ length: 20 }, () => 5),
        load: { clients: 2, durationSeconds: 1 },
        ...quiet,
      }),
    ).rejects.toThrow('20 budget comparisons would sweep 4 sessions each, under the 10 a sweep needs to be timed');
  });

  it('session-churn: live sessions and heap stay bounded while clients sign in and out', async () => {
    const result = await runScenario({
      scenario: 'session-churn',
      load: { clients: 8, ratePerSecond: 90, durationSeconds: 3 },
      ...quiet,
    });
    expect(result.load).toEqual({ model: 'open', ratePerSecond: 90, connections: 8 });
    expect(result.latencyMs.corrected).not.toBeNull();
    expect(counter(result, 'logouts')).toBeGreaterThan(30);
    expect(counter(result, 'failed cycles')).toBe(0);
    expect(counter(result, 'live sessions over bound')).toBe(0);
    expect(counter(result, 'heap growth after GC (MiB)')).toBeLessThanOrEqual(32);
  });
});
