import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { primaryVia } from '../../adapters/semantics.ts';
import type { Account } from '../../adapters/types.ts';
import { copyAgent, newAgent, type Agent } from '../../adapters/wire.ts';
import { k6Thresholds, sessionChurn } from '../definitions/index.ts';
import { checksLogout, churnCycle, missingOperations } from '../definitions/through-adapter.ts';
import adapter from './adapter.ts';
import { perform } from './agent.ts';
import { bodyOf, get, intEnv, stats } from './lib.ts';
import { accounts } from './through-adapter.ts';

/**
 * session-churn, through the bundled adapter: sign in, read, sign out (a session whose id travels in the path is
 * opened first), started at a fixed arrival rate (constant-arrival-rate: the open model, so a slow server does not
 * slow the arrivals). After each acknowledged logout the VU asks, with what it held before, who it is: it must be no
 * one (`signed_in_after_logout`). On a contract-v1 server the `monitor` samples the store's live sessions once a
 * second, and teardown checks the store did not keep signed-out sessions: live sessions may exceed the count at the
 * start by at most the cycles cut off when the test stopped (one per VU).
 */
const defaults = sessionChurn.defaults;
const cycle = churnCycle(adapter);
const cyclesPerSecond = intEnv('RATE', Math.round(defaults.ratePerSecond / cycle.length));
const vus = intEnv('VUS', defaults.connections);
const duration = intEnv('DURATION', defaults.durationSeconds);
const via = primaryVia(adapter.semantics);
const asksAfterLogout = checksLogout(adapter);

const liveSessionsOverBound = new Counter('live_sessions_over_bound');
const signedInAfterLogout = new Counter('signed_in_after_logout');
const failedCycles = new Counter('failed_cycles');
const liveSessions = new Trend('live_sessions');

export const options: Options = {
  scenarios: {
    churn: {
      executor: 'constant-arrival-rate',
      rate: cyclesPerSecond,
      timeUnit: '1s',
      duration: `${duration}s`,
      preAllocatedVUs: vus,
      maxVUs: vus * 4,
      exec: 'churn',
    },
    monitor: { executor: 'constant-vus', vus: 1, duration: `${duration}s`, exec: 'monitor' },
  },
  thresholds: { ...k6Thresholds(sessionChurn), failed_cycles: ['count==0'] },
};

interface ChurnData {
  accounts: Account[];
  /** Live sessions at the start, where the target reports them (contract v1's stats); null elsewhere. */
  liveAtStart: number | null;
}

export function setup(): ChurnData {
  const lacking = missingOperations(adapter, 'session-churn');
  if (lacking.length > 0) throw new Error(`session-churn: adapter ${adapter.name} has no ${lacking.join(' or ')}`);
  const discovery = get('/.well-known/sessionproof');
  const speaksContract = discovery.status === 200 && bodyOf<{ contract?: number }>(discovery)?.contract === 1;
  return { accounts: accounts(vus * 4), liveAtStart: speaksContract ? stats().live : null };
}

export function churn(data: ChurnData): void {
  const account = data.accounts[(exec.vu.idInTest - 1) % data.accounts.length]!;
  const agent = newAgent(adapter.headers);
  let beforeLogout: Agent | null = null;
  for (const name of cycle) {
    if (name === 'logout') beforeLogout = copyAgent(agent);
    const result =
      name === 'login' ? perform(agent, adapter, 'login', account) : perform(agent, adapter, name, {}, { via });
    const read = name === 'getCart' || name === 'whoami';
    if (!read && !check(result, { [`${name} acknowledged`]: (r) => r.outcome === 'ok' }))
      return void failedCycles.add(1);
  }
  if (!asksAfterLogout || beforeLogout === null) return;
  const who = perform(beforeLogout, adapter, 'whoami', {}, { via });
  signedInAfterLogout.add(who.outcome === 'ok' && who.value?.user != null ? 1 : 0);
}

export function monitor(data: ChurnData): void {
  if (data.liveAtStart === null) return void sleep(duration);
  liveSessions.add(stats().live);
  sleep(1);
}

export function teardown(data: ChurnData): void {
  if (data.liveAtStart === null) {
    console.log(
      'session-churn: the target reports no live sessions (contract v1 stats): the live-sessions bound is not measured',
    );
    return;
  }
  const growth = stats().live - data.liveAtStart;
  liveSessionsOverBound.add(Math.max(0, growth - vus * 4 * defaults.liveGrowthPerConnection));
}
