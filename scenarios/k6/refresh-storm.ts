import { check, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { k6Thresholds, refreshStorm } from '../definitions/index.ts';
import { stormJump, type StormDiscovery } from '../definitions/refresh-storm.ts';
import { baseUrl, bodyOf, createUsers, get, intEnv, params, post } from './lib.ts';

/**
 * refresh-storm: one VU per signed-in client, each iteration firing `PARALLEL` bearer requests at once
 * (http.batch). The `storm` scenario moves the server clock once, at STORM_AT seconds, past the access tokens'
 * lifetime and short of the sessions' idle timeout (both read from discovery; `stormJump` in the definition), so the
 * tokens expire and the sessions stay live. A naive client refreshes once per 401 (in parallel, like the requests
 * that failed); a single-flight client refreshes once. A client that follows the protocol (request, refresh on 401,
 * request again) and still gets no 200 was signed out by the storm: a spurious logout. Setup aborts the test when no
 * such jump exists (no clock control, or access tokens that live as long as the sessions: the reference server's
 * defaults, 30 and 15 minutes; `serve --access-token-lifetime 5m` fixes that).
 */
const defaults = refreshStorm.defaults;
const clients = intEnv('CLIENTS', defaults.clients);
const parallel = intEnv('PARALLEL', defaults.parallel);
const duration = intEnv('DURATION', defaults.durationSeconds);
const naive = (__ENV.CLIENT_KIND ?? defaults.clientKind) === 'naive';

const spuriousLogouts = new Counter('spurious_logouts');
const clientsBackTo200 = new Counter('clients_back_to_200');
const unauthorized = new Counter('unauthorized_seen');
const refreshCalls = new Counter('refresh_calls');
const reuseDetections = new Counter('reuse_detections');
const timeBackTo200 = new Trend('time_back_to_200', true);

export const options: Options = {
  scenarios: {
    clients: { executor: 'constant-vus', vus: clients, duration: `${duration}s`, exec: 'client' },
    storm: {
      executor: 'shared-iterations',
      vus: 1,
      iterations: 1,
      startTime: `${intEnv('STORM_AT', defaults.stormAtSecond)}s`,
      exec: 'storm',
    },
  },
  thresholds: {
    // `clients never back to 200 == 0` is, per VU, `clients_back_to_200 >= clients`.
    ...k6Thresholds(refreshStorm),
    clients_back_to_200: [`count>=${clients}`],
  },
};

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

interface StormData {
  tokens: Tokens[];
  /** How far the storm moves the server clock (`stormJump`). */
  advanceMs: number;
}

/** Ends the whole test (exit code 108) with the reason; throwing as well stops this function here for TypeScript. */
function abortTest(reason: string): never {
  exec.test.abort(`refresh-storm against ${baseUrl}: ${reason}`);
  throw new Error(reason);
}

/** Checks the target can have a storm before signing anyone in, so a run that cannot pass fails at once. */
export function setup(): StormData {
  const response = get('/.well-known/sessionproof');
  const discovery = bodyOf<StormDiscovery>(response);
  if (response.status !== 200 || !discovery)
    abortTest(`GET /.well-known/sessionproof answered ${response.status}: the storm needs the target's timeouts`);
  const jump = stormJump(discovery);
  if ('error' in jump) abortTest(jump.error);
  const tokens = createUsers(clients).map((user) => {
    const login = post('/auth/login', user);
    const body = bodyOf<Tokens>(login);
    if (login.status !== 200 || !body) throw new Error(`POST /auth/login answered ${login.status}`);
    return body;
  });
  return { tokens, advanceMs: jump.advanceMs };
}

/** Every client's token expires at once; their sessions stay live. */
export function storm(data: StormData): void {
  check(post('/__control/clock', { advanceMs: data.advanceMs }), { 'clock advanced': (r) => r.status === 200 });
}

// VU-local state: this VU's client.
let tokens: Tokens | null = null;
let firstUnauthorizedAt: number | null = null;
let recovered = false;
let signedOut = false;

function refresh(refreshToken: string): Tokens | null {
  refreshCalls.add(1);
  const response = post('/auth/refresh', { refreshToken });
  if (response.status === 401 && bodyOf<{ error: { code: string } }>(response)?.error.code === 'REFRESH_TOKEN_REUSED')
    reuseDetections.add(1);
  return response.status === 200 ? bodyOf<Tokens>(response) : null;
}

export function client(data: StormData): void {
  if (signedOut) return void sleep(1);
  tokens ??= data.tokens[(exec.vu.idInTest - 1) % data.tokens.length]!;
  const current: Tokens = tokens;
  const requests = Array.from(
    { length: parallel },
    () => ['GET', `${baseUrl}/cart`, null, params({ bearer: current.accessToken })] as const,
  );
  const responses = http.batch(requests.map((r) => [...r]));
  const failed = responses.filter((r) => r.status === 401).length;
  if (failed === 0) {
    if (firstUnauthorizedAt !== null && !recovered) {
      recovered = true;
      clientsBackTo200.add(1);
      timeBackTo200.add(Date.now() - firstUnauthorizedAt);
    }
    return;
  }
  unauthorized.add(failed);
  firstUnauthorizedAt ??= Date.now();
  if (naive) {
    // One refresh per failed request, all with the token the client holds now, in parallel.
    refreshCalls.add(failed);
    const replies = http.batch(
      Array.from(
        { length: failed },
        () =>
          [
            'POST',
            `${baseUrl}/auth/refresh`,
            JSON.stringify({ refreshToken: current.refreshToken }),
            params(),
          ] as const,
      ).map((r) => [...r]),
    );
    for (const reply of replies) {
      if (reply.status === 401 && bodyOf<{ error: { code: string } }>(reply)?.error.code === 'REFRESH_TOKEN_REUSED')
        reuseDetections.add(1);
      const next = reply.status === 200 ? bodyOf<Tokens>(reply) : null;
      if (next) tokens = next;
    }
    if (tokens !== current) return;
  }
  // The protocol once more, with the newest token: refresh, then request; no 200 means signed out.
  const next = refresh(tokens.refreshToken);
  if (next && get('/cart', { bearer: next.accessToken }).status === 200) {
    tokens = next;
    return;
  }
  signedOut = true;
  spuriousLogouts.add(1);
}
