import { scratchStore, type ScratchStore } from '../load/scratch-store.ts';
import {
  bareNode,
  counterTarget,
  defaultGoals,
  expressSessionServer,
  koaSession,
  koaSessionServer,
  referenceGoals,
  referenceServer,
  referenceTargets,
  servers,
  type BenchGoal,
  type BenchTarget,
} from './targets.ts';

/** The shared stores a bench may add beside the memory targets, each a location (`redis://...`, `postgres://...`). */
export interface BenchPlanOptions {
  redis?: string;
  postgres?: string;
  /**
   * The peer comparison: express-session with connect-redis beside the koa-session baselines (needs `redis`).
   */
  peers?: boolean;
}

export interface BenchPlan {
  targets: BenchTarget[];
  goals: BenchGoal[];
  /** The stores measured, as the summary names them: `memory`, `redis`, `postgres`. */
  stores: string[];
  /** Removes what the run wrote to the shared stores: each server got its own key prefix or schema. */
  cleanUp(): Promise<void>;
}

export class PlanError extends Error {}

/**
 * What one bench run measures: always the calibration, koa-session on memory and the reference server on memory;
 * per shared store, the koa-session baseline on that store and the reference server on it; with `peers`,
 * express-session + connect-redis too. Every server on a shared store gets a scratch key prefix or schema.
 */
export function benchPlan(options: BenchPlanOptions = {}): BenchPlan {
  if (options.peers && !options.redis)
    throw new PlanError('the peer comparison needs Redis (express-session runs on connect-redis)');
  const scratches: ScratchStore[] = [];
  const scratch = (location: string) => {
    const made = scratchStore(location);
    scratches.push(made);
    return made.location;
  };
  const baselines: BenchTarget[] = [bareNode, koaSession];
  const subjects: BenchTarget[] = referenceTargets(servers.reference, koaSession.id);
  const goals: BenchGoal[] = [...defaultGoals];
  const stores = ['memory'];
  for (const [name, location] of [
    ['redis', options.redis],
    ['postgres', options.postgres],
  ] as const) {
    if (location === undefined) continue;
    stores.push(name);
    const peer = counterTarget(koaSessionServer(name, scratch(location)), `koa + koa-session (${name} store) counter`);
    baselines.push(peer);
    if (name === 'redis' && options.peers) {
      baselines.push(
        counterTarget(expressSessionServer(scratch(location)), 'express + express-session (connect-redis) counter'),
      );
    }
    const workloads = referenceTargets(referenceServer(name, scratch(location)), peer.id);
    subjects.push(...workloads);
    goals.push(...referenceGoals(workloads, peer.id));
  }
  return {
    targets: [...baselines, ...subjects],
    goals,
    stores,
    async cleanUp() {
      const results = await Promise.allSettled(scratches.map((s) => s.cleanUp()));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
