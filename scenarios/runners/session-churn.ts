import { sessionChurn } from '../definitions/session-churn.ts';
import type { MemorySample, ScenarioResult } from '../../reports/schema.ts';
import type { LoadRequest } from '../load/autocannon-run.ts';
import { controls } from '../load/contract.ts';
import { drive } from '../load/drive.ts';
import { CookieJar } from '../load/cookie-jar.ts';
import { headerValues, parseJson, restartSequence } from '../load/response.ts';
import { checkedCounter, scenarioResult, type ScenarioContext } from '../scenario.ts';

/** One sign-in cycle's identity, in autocannon's per-connection context (reset when the cycle starts over). */
interface ChurnContext {
  cookie?: string;
  csrfToken?: string;
}

interface Sample {
  second: number;
  live: number;
  rssBytes: number | null;
}

/**
 * Sign in, read the cart, sign out, over and over at a fixed arrival rate (the open model by default: churn is
 * measured per unit of time). The cookie and CSRF token of each cycle travel in the connection's context. Once a
 * second the scenario samples the store's live sessions and the server's memory; a store that keeps signed-out
 * sessions grows with every cycle, a correct one stays flat.
 */
export async function runSessionChurn(context: ScenarioContext): Promise<ScenarioResult> {
  const defaults = sessionChurn.defaults;
  const { url } = context.server;
  const connections = context.load.clients ?? defaults.connections;
  const ratePerSecond = context.load.ratePerSecond ?? defaults.ratePerSecond;
  const durationSeconds = context.load.durationSeconds ?? defaults.durationSeconds;
  await controls.require(url, ['users']);
  const users = await controls.users(url, connections);

  let logins = 0;
  let logouts = 0;
  let failedCycles = 0;
  const requestsFor = (index: number): LoadRequest[] => {
    const user = users[index % users.length]!;
    const [login, read, logout] = sessionChurn.mix;
    return [
      {
        method: login!.method,
        path: login!.path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(user),
        onResponse: (status, body, ctx: ChurnContext, headers) => {
          if (status !== 200) return void failedCycles++;
          const jar = new CookieJar();
          jar.store(headerValues(headers, 'set-cookie'));
          ctx.cookie = jar.header();
          ctx.csrfToken = parseJson<{ session: { csrfToken: string } }>(body)?.session.csrfToken;
          logins++;
        },
      },
      {
        method: read!.method,
        path: read!.path,
        setupRequest: (request, ctx: ChurnContext) =>
          ctx.cookie ? { ...request, headers: { cookie: ctx.cookie } } : restartSequence,
      },
      {
        method: logout!.method,
        path: logout!.path,
        setupRequest: (request, ctx: ChurnContext) =>
          ctx.cookie && ctx.csrfToken
            ? { ...request, headers: { cookie: ctx.cookie, 'x-csrf-token': ctx.csrfToken } }
            : restartSequence,
        onResponse: (status) => {
          if (status === 204) logouts++;
          else failedCycles++;
        },
      },
    ];
  };

  const start = await controls.stats(url);
  const memoryStart = await context.server.memory();
  const samples: Sample[] = [];
  const running = drive({
    url,
    load: { model: 'open', ratePerSecond, connections },
    durationSeconds,
    requestsFor,
  });
  const sampler = setInterval(() => {
    void (async () => {
      const second = Math.round(running.elapsedMs() / 1000);
      const [stats, memory] = await Promise.all([controls.stats(url), context.server.memory()]);
      samples.push({ second, live: stats.live, rssBytes: memory?.rssBytes ?? null });
      context.progress(
        `second ${second}: ${logins} logins, ${logouts} logouts, ${stats.live} live sessions${memory ? `, rss ${mib(memory.rssBytes)} MiB` : ''}`,
      );
    })().catch(() => undefined);
  }, 1000);
  const driven = await running.result;
  clearInterval(sampler);

  const end = await controls.stats(url);
  const memoryEnd = await context.server.memory();
  const bound = connections * defaults.liveGrowthPerConnection;
  const growth = end.live - start.live;
  const liveSeries = samples.map((s) => ({ x: s.second, y: s.live }));
  const rssSeries = samples.flatMap((s) => (s.rssBytes === null ? [] : [{ x: s.second, y: s.rssBytes }]));
  const memory: { before: MemorySample; after: MemorySample } | null =
    memoryStart && memoryEnd ? { before: memoryStart, after: memoryEnd } : null;
  const heapGrowth = memory ? memory.after.heapUsedBytes - memory.before.heapUsedBytes : null;
  const [boundCheck] = sessionChurn.checks;
  return scenarioResult(sessionChurn.name, context.server.store, driven, {
    counters: [
      checkedCounter(boundCheck!, Math.max(0, growth - bound)),
      ...(heapGrowth === null
        ? []
        : [
            {
              name: 'heap growth after GC (MiB)',
              value: Math.max(0, Math.round(heapGrowth / 1048576)),
              expect: { op: '<=' as const, value: defaults.heapGrowthLimitBytes / 1048576 },
              meaning: "the server's heap grows with churn: memory is kept after sessions end",
            },
          ]),
      { name: 'logins', value: logins },
      { name: 'logouts', value: logouts },
      { name: 'failed cycles', value: failedCycles },
      { name: 'live sessions at start', value: start.live },
      { name: 'live sessions at end', value: end.live },
      { name: 'live sessions peak', value: Math.max(start.live, end.live, ...samples.map((s) => s.live)) },
      { name: 'sessions ended', value: end.ended - start.ended },
    ],
    figures: [
      { name: 'live sessions slope', value: round(slope(liveSeries)), unit: 'sessions/s' },
      { name: 'allowed live growth', value: bound, unit: 'sessions' },
      ...(rssSeries.length > 0
        ? [
            { name: 'server RSS slope', value: round(slope(rssSeries) / 1024), unit: 'KiB/s' },
            { name: 'server RSS peak', value: Math.max(...rssSeries.map((p) => p.y)), unit: 'bytes' },
          ]
        : []),
    ],
    memory,
    parameters: { ratePerSecond, connections },
  });
}

/** Least-squares slope of y over x; 0 with fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const meanX = points.reduce((s, p) => s + p.x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  const covariance = points.reduce((s, p) => s + (p.x - meanX) * (p.y - meanY), 0);
  const variance = points.reduce((s, p) => s + (p.x - meanX) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
