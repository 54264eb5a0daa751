import type { ScenarioDefinition } from './types.ts';

export interface CleanupUnderLoadDefaults {
  /** Sessions created before the sweep, expired and live together. */
  sessions: number;
  /** `--large`: the million-session run. */
  largeSessions: number;
  /** The share of `sessions` that has expired when the sweep runs. */
  expiredShare: number;
  /** Live clients sending steady traffic (one connection each) while the sweep runs. */
  clients: number;
  /** Steady traffic before the sweep starts: the reference window (`--duration` sets it). */
  beforeSeconds: number;
  /** Live traffic before the reference window, not measured in any phase (at most half the window). */
  warmupSeconds: number;
  /**
   * After `warmupSeconds`, warm-up goes on until throughput is steady (`steadySpan` whole seconds averaging within
   * `steadyTolerance` of the span before), for at most this many reference windows.
   */
  maxWarmupWindows: number;
  steadySpan: number;
  steadyTolerance: number;
  /**
   * A group of this share of the expired sessions is swept during warm-up, unmeasured, so the measured sweep is not
   * the process's first (whose code is still being optimised): a server in service sweeps every minute.
   */
  warmupSweepShare: number;
  /** Steady traffic after each sweep (at most the reference window): the second half of its A-B-A baseline. */
  afterSeconds: number;
  /** Guest idle timeout of the reference server (24 h); the clock jumps past it to expire the first batch. */
  guestIdleMs: number;
  /**
   * Sweep budgets (percent of a busy server) measured after the server's own, for the trade-off table: each sweeps a
   * group of its own, expiring an hour after the one before, while the same live clients keep going.
   */
  compareBudgets: number[];
  /**
   * The size of each of those groups, as a share of the expired sessions (the server's own budget sweeps the rest);
   * with more budgets than fit, the groups share what the warm-up group and `minMainShare` leave.
   */
  compareShare: number;
  /** The least share of the expired sessions left to the server's own sweep, however many budgets are compared. */
  minMainShare: number;
  /** The smallest comparison group: a sweep of fewer is over before its window says anything. */
  minCompareSessions: number;
}

/** Each comparison group's share of the expired sessions when `groups` budgets are compared. */
export function comparisonShare(groups: number, defaults: CleanupUnderLoadDefaults): number {
  if (groups <= 0) return 0;
  return Math.min(defaults.compareShare, (1 - defaults.warmupSweepShare - defaults.minMainShare) / groups);
}

export const cleanupUnderLoad: ScenarioDefinition<CleanupUnderLoadDefaults> = {
  name: 'cleanup-under-load',
  summary: 'sweep a population with an expired share while live clients keep their sessions busy',
  defaults: {
    sessions: 100_000,
    largeSessions: 1_000_000,
    expiredShare: 0.5,
    clients: 32,
    beforeSeconds: 5,
    warmupSeconds: 3,
    maxWarmupWindows: 4,
    steadySpan: 3,
    steadyTolerance: 0.05,
    warmupSweepShare: 0.05,
    afterSeconds: 2,
    guestIdleMs: 24 * 60 * 60_000,
    compareBudgets: [25, 100],
    compareShare: 0.2,
    minMainShare: 0.15,
    minCompareSessions: 10,
  },
  mix: [
    { method: 'GET', path: '/session' },
    { method: 'GET', path: '/cart' },
  ],
  checks: [
    {
      counter: 'expired left',
      metric: 'expired_left',
      op: '==',
      value: 0,
      meaning: 'the sweep left expired sessions behind',
    },
    {
      counter: 'live sessions lost',
      metric: 'live_sessions_lost',
      op: '==',
      value: 0,
      meaning: 'a live client lost its session id while the sweep ran',
    },
  ],
};
