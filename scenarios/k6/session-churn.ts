import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { k6Thresholds, sessionChurn } from '../definitions/index.ts';
import { bodyOf, cookieOf, createUsers, get, intEnv, post, stats, type Credentials } from './lib.ts';

/**
 * session-churn: sign in, read the cart, sign out, started at a fixed arrival rate (constant-arrival-rate: the open
 * model, so a slow server does not slow the arrivals). The `monitor` samples the store's live sessions once a second;
 * teardown checks the store did not keep signed-out sessions: live sessions may exceed the count at the start by at
 * most the cycles cut off when the test stopped (one per VU).
 */
const defaults = sessionChurn.defaults;
const cyclesPerSecond = intEnv('RATE', Math.round(defaults.ratePerSecond / sessionChurn.mix.length));
const vus = intEnv('VUS', defaults.connections);
const duration = intEnv('DURATION', defaults.durationSeconds);

const liveSessionsOverBound = new Counter('live_sessions_over_bound');
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

export function setup(): { users: Credentials[]; liveAtStart: number } {
  return { users: createUsers(vus * 4), liveAtStart: stats().live };
}

export function churn(data: { users: Credentials[] }): void {
  const user = data.users[(exec.vu.idInTest - 1) % data.users.length]!;
  const login = post('/auth/login', user);
  const csrfToken = bodyOf<{ session: { csrfToken: string } }>(login)?.session.csrfToken;
  if (!check(login, { 'signed in': (r) => r.status === 200 }) || !csrfToken) return void failedCycles.add(1);
  const identity = { cookie: cookieOf(login), csrfToken };
  get('/cart', identity);
  if (!check(post('/auth/logout', undefined, identity), { 'signed out': (r) => r.status === 204 })) failedCycles.add(1);
}

export function monitor(): void {
  liveSessions.add(stats().live);
  sleep(1);
}

export function teardown(data: { liveAtStart: number }): void {
  const growth = stats().live - data.liveAtStart;
  liveSessionsOverBound.add(Math.max(0, growth - vus * 4 * defaults.liveGrowthPerConnection));
}
