import type { CheckDefinition, ScenarioDefinition } from './types.ts';

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

const spuriousLogouts: CheckDefinition = {
  counter: 'spurious logouts',
  metric: 'spurious_logouts',
  op: '==',
  value: 0,
  meaning: 'a client following the refresh protocol could no longer get a 200: the server signed it out',
};

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
    spuriousLogouts,
    {
      counter: 'clients never back to 200',
      metric: 'clients_never_recovered',
      op: '==',
      value: 0,
      meaning: 'a client saw no 200 after the tokens expired, until the end of the load',
    },
  ],
  // A k6 VU cannot tell that the load ended, so it counts recovery the other way round (`clients_back_to_200`, a
  // threshold the script sets from its client count).
  k6Checks: [spuriousLogouts],
};

/** What discovery (`GET /.well-known/sessionproof`) says that the storm's clock jump depends on. */
export interface StormDiscovery {
  controls?: { clock?: boolean };
  timeouts?: { idleMs?: number; absoluteMs?: number; accessTokenMs?: number };
}

export type StormJump = { advanceMs: number; marginMs: number } | { error: string };

/** The most margin either side of the jump gets; more would only move the clock further for nothing. */
export const stormMarginMs = 60_000;
/**
 * The least margin either side: it covers the time since each client last touched its session (a few iterations),
 * since its session was created (setup), and the access tokens' expiry being rounded down to the second.
 */
export const stormMinMarginMs = 5_000;

/**
 * How far the storm moves the server clock, from the moment it moves it: past every access token issued before
 * (their lifetime, plus margin) and short of every session's end (idle or absolute timeout, less margin), so the
 * tokens expire and the sessions stay live. The margin is half the gap between the two, at most `stormMarginMs`.
 * An error when the target cannot have a storm: no clock control, no timeouts in discovery, or access tokens that
 * live as long as the sessions (jumping past them ends the sessions too: every client would be signed out).
 */
export function stormJump(discovery: StormDiscovery): StormJump {
  if (discovery.controls?.clock !== true)
    return { error: 'the target offers no clock control (start it with test controls on): the storm moves its clock' };
  const { idleMs, absoluteMs, accessTokenMs } = discovery.timeouts ?? {};
  if (!isDuration(idleMs) || !isDuration(accessTokenMs))
    return { error: 'the target does not say its timeouts.idleMs and timeouts.accessTokenMs in discovery' };
  const sessionMs = isDuration(absoluteMs) ? Math.min(idleMs, absoluteMs) : idleMs;
  const marginMs = Math.min(stormMarginMs, Math.floor((sessionMs - accessTokenMs) / 2));
  if (marginMs < stormMinMarginMs)
    return {
      error:
        `access tokens live ${spelled(accessTokenMs)}, sessions end after ${spelled(sessionMs)} ` +
        `(${sessionMs === idleMs ? 'idle' : 'absolute'} timeout): ` +
        `a jump past the tokens' expiry would end the sessions too. Start the server with an access-token lifetime ` +
        `at least ${(2 * stormMinMarginMs) / 1000} s shorter (with the default 15-minute idle timeout: ` +
        `sessionproof serve --access-token-lifetime 5m)`,
    };
  return { advanceMs: accessTokenMs + marginMs, marginMs };
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function spelled(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
