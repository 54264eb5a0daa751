import { refreshStorm, type RefreshClientKind } from '../definitions/refresh-storm.ts';
import type { ScenarioResult } from '../../reports/schema.ts';
import { establishClients, type LoadRequest } from '../load/autocannon-run.ts';
import { call, controls, expectOk } from '../load/contract.ts';
import { drive } from '../load/drive.ts';
import { parseJson, restartSequence } from '../load/response.ts';
import { checkedCounter, distributionOf, loadModel, scenarioResult, type ScenarioContext } from '../scenario.ts';

export interface RefreshStormOptions {
  parallel?: number;
  clientKind?: RefreshClientKind;
}

interface TokenReply {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: number;
}

interface LoginReply extends TokenReply {
  session: { createdAt: number; idleExpiresAt: number };
}

/** One signed-in client: its tokens, shared by its `parallel` connections, and what happened to it. */
interface StormClient {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: number;
  /** Single-flight: a refresh of this client is on the wire; its other connections wait for it. */
  refreshing: boolean;
  /** The access token every connection held when the clock jumped; a 200 with another token means recovered. */
  stormToken: string | null;
  recoveredAtMs: number | null;
  /** When this client last got a 200 (ms into the load): the request moved its session's idle timer. */
  lastOkAtMs: number;
  refreshCalls: number;
  unauthorized: number;
  reuseDetections: number;
  refreshFailures: number;
  waits: number;
}

/** What one pass through a connection's sequence carries from the bearer request to the refresh step. */
interface StormContext {
  token?: string;
  unauthorized?: boolean;
  /** The second step sent a refresh (rather than a wait poll). */
  refreshed?: boolean;
}

interface ErrorReply {
  error?: { code?: string };
}

/**
 * N signed-in clients, each with k connections sending bearer requests. Mid-run the server clock jumps past the
 * access tokens' expiry, so every client's k requests start failing with 401 at once. A naive client refreshes on
 * every 401 (k refreshes racing with one refresh token); a single-flight client sends one refresh and its other
 * connections wait for it (they poll GET /health meanwhile: an autocannon connection cannot sit idle). Afterwards
 * each client follows the protocol once more (request, on 401 refresh, request again); one that still cannot get a
 * 200 was signed out by the storm: a spurious logout.
 */
export async function runRefreshStorm(
  context: ScenarioContext,
  options: RefreshStormOptions = {},
): Promise<ScenarioResult> {
  const defaults = refreshStorm.defaults;
  const { url } = context.server;
  const clientCount = context.load.clients ?? defaults.clients;
  const parallel = Math.max(1, options.parallel ?? defaults.parallel);
  const kind = options.clientKind ?? defaults.clientKind;
  const durationSeconds = context.load.durationSeconds ?? defaults.durationSeconds;
  const stormAtSecond = Math.min(defaults.stormAtSecond, durationSeconds / 3);
  await controls.require(url, ['clock', 'users']);

  const users = await controls.users(url, clientCount);
  let idleMs = Infinity;
  const clients = await establishClients(clientCount, async (index): Promise<StormClient> => {
    const { body } = await expectOk<LoginReply>(url, '/auth/login', { body: users[index] });
    idleMs = Math.min(idleMs, body.session.idleExpiresAt - body.session.createdAt);
    return {
      accessToken: body.accessToken,
      refreshToken: body.refreshToken,
      accessTokenExpiresAt: body.accessTokenExpiresAt,
      refreshing: false,
      stormToken: null,
      recoveredAtMs: null,
      lastOkAtMs: -1,
      refreshCalls: 0,
      unauthorized: 0,
      reuseDetections: 0,
      refreshFailures: 0,
      waits: 0,
    };
  });
  context.progress(`${clientCount} ${kind} clients signed in, ${parallel} connections each`);

  let elapsedMs = () => 0;
  const requestsFor = (index: number): LoadRequest[] => {
    const client = clients[Math.floor(index / parallel)]!;
    return [
      {
        method: 'GET',
        path: '/cart',
        setupRequest: (request, ctx: StormContext) => {
          ctx.token = client.accessToken;
          ctx.unauthorized = false;
          return { ...request, headers: { authorization: `Bearer ${client.accessToken}` } };
        },
        onResponse: (status, _body, ctx: StormContext) => {
          if (status === 401) {
            client.unauthorized++;
            ctx.unauthorized = true;
          } else if (status === 200) {
            client.lastOkAtMs = elapsedMs();
            if (client.stormToken !== null && client.recoveredAtMs === null && ctx.token !== client.stormToken)
              client.recoveredAtMs = client.lastOkAtMs;
          }
        },
      },
      {
        method: 'POST',
        path: '/auth/refresh',
        // Returning null skips the step: autocannon restarts the sequence (a fresh context, the bearer request again).
        setupRequest: (request, ctx: StormContext) => {
          if (!ctx.unauthorized) return restartSequence;
          if (kind === 'single-flight') {
            if (client.accessToken !== ctx.token) return restartSequence;
            if (client.refreshing) {
              client.waits++;
              return { ...request, method: 'GET', path: '/health', body: undefined, headers: {} };
            }
            client.refreshing = true;
          }
          ctx.refreshed = true;
          client.refreshCalls++;
          return {
            ...request,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ refreshToken: client.refreshToken }),
          };
        },
        onResponse: (status, body, ctx: StormContext) => {
          if (!ctx.refreshed) return;
          client.refreshing = false;
          if (status === 200) {
            const tokens = parseJson<TokenReply>(body);
            if (tokens) Object.assign(client, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
            return;
          }
          if (status === 401 && parseJson<ErrorReply>(body)?.error?.code === 'REFRESH_TOKEN_REUSED')
            client.reuseDetections++;
          client.refreshFailures++;
        },
      },
    ];
  };

  const running = drive({
    url,
    load: loadModel(context.load, clientCount * parallel),
    durationSeconds,
    requestsFor,
    onSecond: (point) =>
      context.progress(
        `second ${point.second + 1}: ${point.requestsPerSecond} req/s, p99 ${point.p99Ms.toFixed(2)} ms, ` +
          `401s ${sum(clients, (c) => c.unauthorized)}, refreshes ${sum(clients, (c) => c.refreshCalls)}, ` +
          `recovered ${clients.filter((c) => c.recoveredAtMs !== null).length}/${clientCount}`,
      ),
  });
  elapsedMs = running.elapsedMs;
  running.mark('before-expiry');
  await new Promise((resolve) => setTimeout(resolve, stormAtSecond * 1000));

  // Past the latest expiry of any client's token, so every token is expired at once. Where tokens outlive the idle
  // timeout (the contract's defaults: 30 and 15 minutes), the clock moves in steps shorter than the idle timeout and
  // waits after each until every client has made a request, so the sessions stay alive and only the tokens expire.
  const advanceMs = Math.max(...clients.map((c) => c.accessTokenExpiresAt)) - (await controls.now(url)) + 1000;
  const stepMs = Number.isFinite(idleMs) ? Math.max(1000, idleMs - 60_000) : advanceMs;
  let advancedMs = 0;
  while (advanceMs - advancedMs > stepMs) {
    const steppedAt = running.elapsedMs();
    await controls.advanceClock(url, stepMs);
    advancedMs += stepMs;
    await untilEveryClient(clients, (c) => c.lastOkAtMs > steppedAt, 10_000);
    context.progress(`clock advanced ${Math.round(advancedMs / 1000)} s (in steps shorter than the idle timeout)`);
  }
  for (const client of clients) client.stormToken = client.accessToken;
  running.mark('storm');
  const stormAtMs = running.elapsedMs();
  await controls.advanceClock(url, advanceMs - advancedMs);
  context.progress(`clock advanced ${Math.round(advanceMs / 1000)} s: every access token expired`);
  const driven = await running.result;

  const spurious = (await establishClients(clientCount, (index) => followsProtocol(url, clients[index]!))).filter(
    (ok) => !ok,
  ).length;
  const recovery = clients
    .flatMap((c) => (c.recoveredAtMs === null ? [] : [c.recoveredAtMs - stormAtMs]))
    .sort((a, b) => a - b);
  const neverRecovered = clientCount - recovery.length;
  const [spuriousCheck, recoveryCheck] = refreshStorm.checks;
  const refreshCalls = sum(clients, (c) => c.refreshCalls);
  return scenarioResult(refreshStorm.name, context.server.store, driven, {
    counters: [
      checkedCounter(spuriousCheck!, spurious),
      checkedCounter(recoveryCheck!, neverRecovered),
      { name: 'clients', value: clientCount },
      { name: 'connections per client', value: parallel },
      { name: '401s seen', value: sum(clients, (c) => c.unauthorized) },
      { name: 'refresh calls', value: refreshCalls },
      { name: 'reuse detections (REFRESH_TOKEN_REUSED)', value: sum(clients, (c) => c.reuseDetections) },
      { name: 'failed refreshes', value: sum(clients, (c) => c.refreshFailures) },
      ...(kind === 'single-flight'
        ? [{ name: 'waits for a shared refresh (GET /health polls)', value: sum(clients, (c) => c.waits) }]
        : []),
    ],
    figures: [
      {
        name: 'time until every client is back to 200',
        value: recovery.length === 0 ? -1 : round(recovery.at(-1)!),
        unit: 'ms',
      },
      {
        name: 'median time back to 200',
        value: recovery.length === 0 ? -1 : round(recovery[Math.floor(recovery.length / 2)]!),
        unit: 'ms',
      },
      { name: 'refresh calls per client (mean)', value: round(refreshCalls / clientCount), unit: 'calls' },
      { name: 'clock advanced', value: advanceMs, unit: 'ms' },
    ],
    distributions: [
      distributionOf(
        'refresh calls per client',
        'client',
        clients.map((c) => c.refreshCalls),
      ),
    ],
    parameters: { clientKind: kind, clients: clientCount, parallel },
  });
}

async function untilEveryClient(
  clients: readonly StormClient[],
  ready: (client: StormClient) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!clients.every(ready)) {
    if (performance.now() > deadline)
      throw new Error(`not every client made a request within ${timeoutMs} ms after a clock step`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The protocol a well-behaved client follows: request; on 401 refresh once and request again. */
async function followsProtocol(url: string, client: StormClient): Promise<boolean> {
  if ((await call(url, '/cart', { bearer: client.accessToken })).status === 200) return true;
  const refreshed = await call<TokenReply>(url, '/auth/refresh', { body: { refreshToken: client.refreshToken } });
  if (refreshed.status !== 200) return false;
  return (await call(url, '/cart', { bearer: refreshed.body.accessToken })).status === 200;
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
