import type { ScenarioName } from '../../scenarios/definitions/index.ts';
import type { ScenarioRunOptions } from '../../scenarios/run.ts';

export type ScenarioPlan = Omit<ScenarioRunOptions, 'scenario' | 'target' | 'store' | 'faults' | 'progress'>;

/** How much work one `sessionproof run` does: every part scales together, so a size names a time budget. */
export interface RunSize {
  /** fast-check runs per property family. */
  propertyRuns: number;
  /** Seconds of load on the bare node:http calibration server. */
  calibrationSeconds: number;
  /** Each load scenario's settings; an empty plan runs the scenario's own defaults. */
  scenarios: Record<ScenarioName, ScenarioPlan>;
  /** fast-check runs per property for each fault of the zoo. */
  zooRuns: number;
  /** The faults the zoo switches on, in turn; the whole catalogue when absent. */
  zooFaults?: readonly string[];
}

export const sizeNames = ['small', 'medium', 'large'] as const;
export type SizeName = (typeof sizeNames)[number];

/**
 * small: seconds per part, for tests and a first look. medium (`npm start`): a minute or two on a 2-core machine,
 * every check meaningful. large: the scenarios at their documented defaults (100,000 sessions swept) and the
 * property counts CI uses.
 */
export const sizes: Record<SizeName, RunSize> = {
  small: {
    propertyRuns: 5,
    calibrationSeconds: 1,
    scenarios: {
      'refresh-storm': { load: { clients: 6, durationSeconds: 2.5 }, parallel: 3, recoveryDeadlineSeconds: 20 },
      'cleanup-under-load': { load: { clients: 4, durationSeconds: 0.5 }, sessions: 500 },
      'cart-contention': { load: { clients: 8, durationSeconds: 1 }, carts: 2 },
      'session-churn': { load: { clients: 4, durationSeconds: 1.5, ratePerSecond: 60 } },
    },
    zooRuns: 10,
    zooFaults: ['no-rotate-on-login', 'merge-drops-guest'],
  },
  medium: {
    propertyRuns: 20,
    calibrationSeconds: 2,
    scenarios: {
      'refresh-storm': { load: { clients: 20, durationSeconds: 4 }, parallel: 4, recoveryDeadlineSeconds: 20 },
      'cleanup-under-load': { load: { clients: 16, durationSeconds: 2 }, sessions: 20_000 },
      'cart-contention': { load: { clients: 16, durationSeconds: 3 }, carts: 2 },
      'session-churn': { load: { clients: 8, durationSeconds: 4, ratePerSecond: 100 } },
    },
    zooRuns: 30,
    // Faults of every kind (a store decorator, strict mode, rotation, timeouts, the refresh policy, merge, the
    // sweeper, isolation), each caught within seconds on every seed tried; `--size large` runs the whole catalogue.
    zooFaults: [
      'cart-in-session',
      'permissive-session-id',
      'no-rotate-on-login',
      'idle-not-enforced',
      'strict-refresh',
      'merge-drops-guest',
      'sweeper-misses-index',
      'cross-session-leak',
    ],
  },
  large: {
    propertyRuns: 100,
    calibrationSeconds: 5,
    scenarios: { 'refresh-storm': {}, 'cleanup-under-load': {}, 'cart-contention': {}, 'session-churn': {} },
    zooRuns: 50,
  },
};

export function isSizeName(name: string): name is SizeName {
  return (sizeNames as readonly string[]).includes(name);
}
