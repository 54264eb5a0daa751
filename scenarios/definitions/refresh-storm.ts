import type { ScenarioDefinition } from './types.ts';

export type RefreshClientKind = 'naive' | 'single-flight';

export interface RefreshStormDefaults {
  /** Signed-in clients (users), each with its own session and refresh family. */
  clients: number;
  /** Parallel requests (connections) each client keeps in flight. */
  parallel: number;
  clientKind: RefreshClientKind;
  durationSeconds: number;
  /** When, after the load starts, the server clock jumps past the access-token lifetime. */
  stormAtSecond: number;
  /** Access-token lifetime of the reference server in this scenario: shorter than the idle timeout (15 min), so
   * jumping past it expires the tokens and not the sessions. */
  accessTokenMs: number;
}

export const refreshStorm: ScenarioDefinition<RefreshStormDefaults> = {
  name: 'refresh-storm',
  summary: 'signed-in clients whose access tokens expire together, each with k requests in flight',
  defaults: {
    clients: 50,
    parallel: 4,
    clientKind: 'naive',
    durationSeconds: 6,
    stormAtSecond: 2,
    accessTokenMs: 5 * 60_000,
  },
  mix: [{ method: 'GET', path: '/cart' }],
  checks: [
    {
      counter: 'spurious logouts',
      metric: 'spurious_logouts',
      op: '==',
      value: 0,
      meaning: 'a client following the refresh protocol could no longer get a 200: the server signed it out',
    },
    {
      counter: 'clients never back to 200',
      metric: 'clients_never_recovered',
      op: '==',
      value: 0,
      meaning: 'a client saw no 200 after the tokens expired, until the end of the load',
    },
  ],
};
