import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { cleanupUnderLoad, k6Thresholds } from '../definitions/index.ts';
import { baseUrl, bodyOf, cookieOf, get, intEnv, params, post, stats } from './lib.ts';

/**
 * cleanup-under-load: setup creates SESSIONS guest sessions in parallel batches, moves the clock past the guest idle
 * timeout (from discovery) after the first EXPIRED_SHARE of them (so those expire and the rest stay live), and signs
 * in one live client per VU. The `live` VUs keep their sessions busy; the `sweeper` sweeps once at BEFORE seconds.
 * Teardown counts expired sessions left and live clients whose session id changed. Requests carry a `phase` tag
 * (before-sweep / during-sweep) where the VU knows it, for comparing throughput and latency.
 */
const defaults = cleanupUnderLoad.defaults;
const sessions = intEnv('SESSIONS', defaults.sessions);
const expiredShare = Number(__ENV.EXPIRED_SHARE ?? defaults.expiredShare);
const clients = intEnv('CLIENTS', defaults.clients);
const before = intEnv('BEFORE', defaults.beforeSeconds);
const duration = intEnv('DURATION', before + 20);
const batchSize = 200;

const expiredLeft = new Counter('expired_left');
const liveSessionsLost = new Counter('live_sessions_lost');
const sweepDuration = new Trend('sweep_duration', true);
const sweptSessions = new Counter('swept_sessions');

export const options: Options = {
  setupTimeout: '30m',
  scenarios: {
    live: { executor: 'constant-vus', vus: clients, duration: `${duration}s`, exec: 'live' },
    sweeper: {
      executor: 'shared-iterations',
      vus: 1,
      iterations: 1,
      startTime: `${before}s`,
      exec: 'sweep',
      maxDuration: '30m',
    },
  },
  thresholds: k6Thresholds(cleanupUnderLoad),
};

function createSessions(count: number): void {
  for (let made = 0; made < count; made += batchSize) {
    const batch = Array.from(
      { length: Math.min(batchSize, count - made) },
      () => ['GET', `${baseUrl}/session`, null, params()] as const,
    );
    http.batch(batch.map((request) => [...request]));
  }
}

interface LiveClient {
  cookie: string;
  id: string;
}

export function setup(): { clients: LiveClient[] } {
  // The guest idle timeout in force (`serve --guest-idle-timeout` changes it), else the reference server's default.
  const guestIdleMs =
    bodyOf<{ timeouts?: { guestIdleMs?: number } }>(get('/.well-known/sessionproof'))?.timeouts?.guestIdleMs ??
    defaults.guestIdleMs;
  const expired = Math.round(sessions * expiredShare);
  createSessions(expired);
  check(post('/__control/clock', { advanceMs: guestIdleMs + 60_000 }), {
    'clock advanced': (r) => r.status === 200,
  });
  createSessions(sessions - expired);
  return {
    clients: Array.from({ length: clients }, () => {
      const response = get('/session');
      return { cookie: cookieOf(response), id: bodyOf<{ id: string }>(response)?.id ?? '' };
    }),
  };
}

let sweepStarted = false;

export function live(data: { clients: LiveClient[] }): void {
  const client = data.clients[(exec.vu.idInTest - 1) % data.clients.length]!;
  // A live VU cannot see the sweeper; by the clock it knows whether the sweep has started.
  sweepStarted ||= exec.instance.currentTestRunDuration >= before * 1000;
  const phase = sweepStarted ? 'during-sweep' : 'before-sweep';
  for (const step of cleanupUnderLoad.mix) get(step.path, { cookie: client.cookie }, { phase });
}

export function sweep(): void {
  const started = Date.now();
  const response = post('/__control/sweep', undefined);
  sweepDuration.add(Date.now() - started);
  sweptSessions.add(bodyOf<{ removed: { sessions: number } }>(response)?.removed.sessions ?? 0);
}

export function teardown(data: { clients: LiveClient[] }): void {
  expiredLeft.add(stats().expiredAwaitingSweep);
  for (const client of data.clients) {
    if (bodyOf<{ id: string }>(get('/session', { cookie: client.cookie }))?.id !== client.id) liveSessionsLost.add(1);
  }
}
