import type { ScenarioDefinition } from './types.ts';

export interface SessionChurnDefaults {
  /** Sign-in, one request, sign-out cycles started per second (the open model's arrival rate). */
  ratePerSecond: number;
  connections: number;
  durationSeconds: number;
  /** Live sessions may exceed the count at the start by at most this many times the connections (cycles cut off
   * mid-way when the load stops). */
  liveGrowthPerConnection: number;
  /** Heap growth allowed from start to end, after a full GC in the server process. */
  heapGrowthLimitBytes: number;
}

export const sessionChurn: ScenarioDefinition<SessionChurnDefaults> = {
  name: 'session-churn',
  summary: 'logins and logouts at a fixed rate; store size and server memory stay bounded',
  defaults: {
    ratePerSecond: 150,
    connections: 16,
    durationSeconds: 8,
    liveGrowthPerConnection: 1,
    heapGrowthLimitBytes: 32 * 1024 * 1024,
  },
  mix: [
    { method: 'POST', path: '/auth/login' },
    { method: 'GET', path: '/cart' },
    { method: 'POST', path: '/auth/logout' },
  ],
  checks: [
    {
      counter: 'live sessions over bound',
      metric: 'live_sessions_over_bound',
      op: '==',
      value: 0,
      meaning: 'signed-out sessions stayed live: the store grows with churn',
    },
    {
      counter: 'signed in after logout',
      metric: 'signed_in_after_logout',
      op: '==',
      value: 0,
      meaning:
        'a client whose logout was acknowledged is still signed in with what it held before: logout did not stick',
    },
  ],
};
