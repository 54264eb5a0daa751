import fc from 'fast-check';
import type { RaceServers } from './harness.ts';

/**
 * One in-process race: concurrent requests to the reference server whose store calls `fc.scheduler` interleaves,
 * and what must hold whatever the interleaving.
 */
export interface RaceDefinition {
  name: string;
  holds: string;
  property(servers: RaceServers): fc.IAsyncProperty<any>;
}

export const skus = ['SKU-0001', 'SKU-0002', 'SKU-0003'];

/**
 * The seed of one run's scheduler. fast-check's clones of one generated scheduler share a random source, so a
 * shrunk counterexample replayed by its path would interleave differently; a scheduler built afresh from its own
 * seed in each run interleaves the same on every replay. Not shrunk: the same seed keeps the same choices while the
 * requests shrink.
 */
export const interleaving = fc.noShrink(fc.integer());

/**
 * Runs a race body with a scheduler made from `seed`; a violation carries the store calls in the order the
 * scheduler released them.
 */
export async function withScheduler(seed: number, body: (scheduler: fc.Scheduler) => Promise<void>): Promise<void> {
  const [scheduler] = fc.sample(fc.scheduler(), { seed, numRuns: 1 });
  try {
    await body(scheduler!);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\nstore calls in the order the scheduler released them:\n${String(scheduler)}`, {
      cause: error,
    });
  }
}
