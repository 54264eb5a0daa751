import pino from 'pino';
import { Registry, Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createSweeper, inProcessCharge, nextBatchSize, pauseAfter, type SweepBudget } from '../../server/cleanup.ts';
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

  it('pauses what the budget owes on a busy loop whose timers fire late: the lateness is taken off the next pause', async () => {
    // Twenty slices each report 2 ms of store work; at 25 % each but the last is owed 6 ms of pause, 114 ms in all. A
    // loop kept busy in 2 ms spins fires every pause timer late: without the credit the pass paused 42-89 ms more
    // than it owed (one lateness per pause), with it 5-20 ms.
    const { store } = costlyStore(2000, 0.02);
    const { sweeper } = sweeperOf(store, { batchSize: 100, budget: { sliceMs: 2, percent: 25 } });
    const spinning = setInterval(() => {
      const until = performance.now() + 2;
      while (performance.now() < until);
    }, 0);
    try {
      const pass = await sweeper.sweep();
      expect(pass.removed.sessions).toBe(2000);
      expect(pass.chargedMs).toBeCloseTo(40);
      const owedMs = (pass.chargedMs - 2) * 3;
      expect(pass.pausedMs).toBeGreaterThan(owedMs - 6);
      expect(pass.pausedMs).toBeLessThan(owedMs + 30);
    } finally {
      clearInterval(spinning);
    }
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

describe('in-process slice charge', () => {
  it('charges what a slice took until a cost has been timed', () => {
    expect(inProcessCharge(14.8, 1000, Infinity, 2)).toBe(14.8);
    expect(inProcessCharge(0.4, 0, Infinity, 2)).toBe(0.4);
  });

  it('charges an outlier as four times its sessions at the cheapest cost, never under the slice budget', () => {
    // 1000 sessions at 0.4 µs: 0.4 ms; a GC pause in the middle made it 14.8 ms.
    expect(inProcessCharge(14.8, 1000, 0.0004, 2)).toBe(2);
    expect(inProcessCharge(14.8, 1000, 0.001, 2)).toBe(4);
    // Within the slice budget a slice is charged what it took, however it compares.
    expect(inProcessCharge(1.9, 1000, 0.0001, 2)).toBe(1.9);
    expect(inProcessCharge(0.4, 1000, 0.0004, 2)).toBe(0.4);
  });
});
