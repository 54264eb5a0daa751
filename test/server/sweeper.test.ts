import pino from 'pino';
import { Registry, Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createSweeper, nextBatchSize, pauseAfter, type SweepBudget } from '../../server/cleanup.ts';
import { createClock } from '../../server/clock.ts';
import { MemoryStore } from '../../server/stores/memory.ts';
import type { Store, SweepResult } from '../../server/stores/store.ts';

const day = 24 * 60 * 60_000;

function sweeperOf(store: Store, options: { batchSize: number; budget: SweepBudget }) {
  const clock = createClock();
  return {
    clock,
    sweeper: createSweeper({
      store,
      clock,
      intervalMs: 0,
      ...options,
      logger: pino({ level: 'silent' }),
      swept: new Counter({ name: 'swept', help: 'swept', labelNames: ['kind'], registers: [new Registry()] }),
    }),
  };
}

async function expiredSessions(store: Store, count: number, now: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const at = now - 2 * day;
    await store.createSession(`secret-${i}`, {
      id: `s-${i}`,
      userId: null,
      csrfToken: `csrf-${i}`,
      createdAt: at,
      lastSeenAt: at,
      idleTimeoutMs: day,
      absoluteExpiresAt: null,
    });
  }
}

/** A store that, like Redis and PostgreSQL, reports the work of each batch: `costMs` per session. */
function costlyStore(total: number, costMs: number): { store: Store; batches: number[] } {
  const batches: number[] = [];
  let left = total;
  const store = {
    async sweep(_now: number, limit: number): Promise<SweepResult> {
      batches.push(limit);
      const sessions = Math.min(limit, left);
      left -= sessions;
      return { sessions, carts: 0, refreshFamilies: 0, workMs: sessions * costMs };
    },
  } as Store;
  return { store, batches };
}

describe('sweeper slices', () => {
  it('yields to the event loop between slices: a timer set as the sweep starts fires before it ends', async () => {
    const store = new MemoryStore();
    const { clock, sweeper } = sweeperOf(store, { batchSize: 100, budget: { sliceMs: 1, percent: 50 } });
    await expiredSessions(store, 5000, clock.now());
    let firedDuringSweep = false;
    let sweepDone = false;
    const sweeping = sweeper.sweep();
    setTimeout(() => (firedDuringSweep = !sweepDone), 0);
    const pass = await sweeping;
    sweepDone = true;
    expect(pass.removed.sessions).toBe(5000);
    expect(pass.slices).toBeGreaterThanOrEqual(50);
    expect(firedDuringSweep).toBe(true);
    expect(await store.sessionStats(clock.now())).toMatchObject({ live: 0, expiredAwaitingSweep: 0 });
  });

  it('sizes each batch to the slice budget from what the last one took', async () => {
    const costMs = 0.05;
    const { store, batches } = costlyStore(3000, costMs);
    const { sweeper } = sweeperOf(store, { batchSize: 1000, budget: { sliceMs: 2, percent: 50 } });
    const pass = await sweeper.sweep();
    expect(pass.removed.sessions).toBe(3000);
    // From the second slice on, every batch is sized to cost the 2 ms budget (40 sessions), never more.
    expect(batches[0]).toBe(64);
    for (const size of batches.slice(1)) expect(size * costMs).toBeLessThanOrEqual(2);
    expect(batches.slice(1, -1).every((size) => size === 40)).toBe(true);
    expect(pass.slices).toBe(batches.length);
  });

  it('sweeps with a budget given for one pass and reports it', async () => {
    const { store } = costlyStore(10, 0);
    const { sweeper } = sweeperOf(store, { batchSize: 4, budget: { sliceMs: 2, percent: 5 } });
    const pass = await sweeper.sweep({ sliceMs: 3, percent: 100 });
    expect(pass).toMatchObject({ removed: { sessions: 10 }, budget: { sliceMs: 3, percent: 100 } });
    expect((await sweeper.sweep()).budget).toEqual({ sliceMs: 2, percent: 5 });
  });

  it('stopping ends a pass at the next slice', async () => {
    const { store, batches } = costlyStore(1_000_000, 0.01);
    const { sweeper } = sweeperOf(store, { batchSize: 100, budget: { sliceMs: 1, percent: 50 } });
    const sweeping = sweeper.sweep();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await sweeper.stop();
    expect((await sweeping).removed.sessions).toBeLessThan(1_000_000);
    expect(batches.length).toBeGreaterThan(0);
  });

  it('never lets one batch pass the batch size, and moves at most twofold per slice', () => {
    expect(nextBatchSize(100, 1, 2, 1000)).toBe(200);
    expect(nextBatchSize(100, 0, 2, 1000)).toBe(200);
    expect(nextBatchSize(800, 1, 2, 1000)).toBe(1000);
    expect(nextBatchSize(100, 4, 2, 1000)).toBe(50);
    expect(nextBatchSize(100, 100, 2, 1000)).toBe(50);
    expect(nextBatchSize(1, 100, 2, 1000)).toBe(1);
  });

  it('pauses (100 - percent) / percent of a slice on a loop at least half busy, less on a mostly idle one', () => {
    expect(pauseAfter(2, { sliceMs: 2, percent: 10 }, 1)).toBeCloseTo(18);
    expect(pauseAfter(2, { sliceMs: 2, percent: 10 }, 0.5)).toBeCloseTo(18);
    expect(pauseAfter(2, { sliceMs: 2, percent: 10 }, 0.25)).toBeCloseTo(9);
    expect(pauseAfter(2, { sliceMs: 2, percent: 10 }, 0)).toBe(0);
    expect(pauseAfter(2, { sliceMs: 2, percent: 25 }, 1)).toBeCloseTo(6);
    expect(pauseAfter(2, { sliceMs: 2, percent: 100 }, 1)).toBe(0);
  });
});
