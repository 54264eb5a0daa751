import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Store, SweepResult } from './stores/store.ts';
import type { Counter } from 'prom-client';

export interface Sweeper {
  /** Sweeps everything expired at the time the pass starts, in batches; passes never overlap. */
  sweep(): Promise<SweepResult>;
  start(): void;
  stop(): Promise<void>;
}

interface SweeperOptions {
  store: Store;
  clock: Clock;
  intervalMs: number;
  batchSize: number;
  logger: Logger;
  swept: Counter<'kind'>;
}

/**
 * Removes expired sessions with their guest carts and refresh families. Each batch is one store call and the loop
 * yields between batches, so a sweep of a million sessions does not stall live traffic.
 */
export function createSweeper({ store, clock, intervalMs, batchSize, logger, swept }: SweeperOptions): Sweeper {
  let running: Promise<SweepResult> | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function pass(): Promise<SweepResult> {
    const total: SweepResult = { sessions: 0, carts: 0, refreshFamilies: 0 };
    const now = clock.now();
    for (;;) {
      const batch = await store.sweep(now, batchSize);
      total.sessions += batch.sessions;
      total.carts += batch.carts;
      total.refreshFamilies += batch.refreshFamilies;
      if (batch.sessions < batchSize) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    swept.inc({ kind: 'sessions' }, total.sessions);
    swept.inc({ kind: 'carts' }, total.carts);
    swept.inc({ kind: 'refresh_families' }, total.refreshFamilies);
    if (total.sessions > 0) logger.info({ removed: total }, 'sweep');
    return total;
  }

  function sweep(): Promise<SweepResult> {
    const queued = (running ?? Promise.resolve()).catch(() => undefined).then(pass);
    running = queued;
    void queued
      .finally(() => {
        if (running === queued) running = null;
      })
      .catch(() => undefined);
    return queued;
  }

  return {
    sweep,
    start() {
      if (timer || intervalMs <= 0) return;
      timer = setInterval(() => {
        sweep().catch((error: unknown) => logger.warn({ err: error }, 'sweep failed'));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
