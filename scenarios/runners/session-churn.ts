import { perform, type OpResult } from '../../adapters/engine.ts';
import { primaryVia } from '../../adapters/semantics.ts';
import type { Account, OperationName } from '../../adapters/types.ts';
import { copyAgent, newAgent, type Agent } from '../../adapters/wire.ts';
import { History } from '../../adapters/history.ts';
import type { Counter, MemorySample, ScenarioResult } from '../../reports/schema.ts';
import { sessionChurn } from '../definitions/session-churn.ts';
import { controls } from '../load/contract.ts';
import { drive } from '../load/drive.ts';
import { operationLoop, type PlannedOperation } from '../load/operation-loop.ts';
import { noAccounts, setupUser } from '../load/shared-identity.ts';
import { checksLogout, churnCycle, missingOperations } from '../definitions/through-adapter.ts';
import { checkedCounter, scenarioResult, ScenarioNotApplicable, type ScenarioContext } from '../scenario.ts';

interface Sample {
  second: number;
  live: number | null;
  rssBytes: number | null;
}

/** Signed-out clients kept for the check after the load: enough to see a logout that does not stick, few to check. */
const signedOutKept = 64;

/** Why a target cannot take the scenario, or null. */
export function sessionChurnRefusal(context: Pick<ScenarioContext, 'target'>): string | null {
  const { target } = context;
  const lacking = missingOperations(target.adapter, 'session-churn');
  if (lacking.length > 0) return `the adapter has no ${lacking.join(' or ')} operation`;
  if (target.missing(['accounts']).length > 0) return noAccounts;
  return null;
}

/**
 * Sign in, read, sign out, over and over at a fixed arrival rate (the open model by default: churn is measured per
 * unit of time), each connection one client through the adapter. Two things must hold. A client whose logout was
 * acknowledged is not signed in afterwards with what it held before (checked after the load on the last clients
 * signed out, where the adapter can ask who is signed in and logout ends what the client holds). And where the
 * server reports its live sessions (contract v1's stats), the store stays flat: one that keeps signed-out sessions
 * grows with every cycle.
 */
export async function runSessionChurn(context: ScenarioContext): Promise<ScenarioResult> {
  const refusal = sessionChurnRefusal(context);
  if (refusal) throw new ScenarioNotApplicable(`session-churn: ${refusal}`);
  const defaults = sessionChurn.defaults;
  const { target } = context;
  const { adapter } = target;
  const via = primaryVia(adapter.semantics);
  const url = target.urls[0]!;
  const connections = context.load.clients ?? defaults.connections;
  const ratePerSecond = context.load.ratePerSecond ?? defaults.ratePerSecond;
  const durationSeconds = context.load.durationSeconds ?? defaults.durationSeconds;
  const accounts = await target.accounts(connections, new History());
  const cycleSteps = churnCycle(adapter);
  const hasStats = target.discovery !== null;
  const checksLogoutSticks = checksLogout(adapter);

  let logins = 0;
  let logouts = 0;
  let failedCycles = 0;
  let unreadable = 0;
  let firstUnreadable: string | null = null;
  let firstFailure: string | null = null;
  const signedOut: Agent[] = [];

  const requestsFor = (index: number) => {
    const account: Account = accounts[index % accounts.length]!;
    let agent = newAgent(adapter.headers);
    let step = 0;
    let beforeLogout: Agent | null = null;
    const cycle = (): PlannedOperation => {
      const name = cycleSteps[step]!;
      const settled = (result: OpResult<OperationName>) => {
        step = (step + 1) % cycleSteps.length;
        if (name === 'login' || name === 'openSession') {
          if (result.outcome !== 'ok') {
            failedCycles++;
            firstFailure ??= `${name} answered ${result.status} (${result.outcome})`;
            step = 0;
          } else if (name === 'login') logins++;
        } else if (name === 'logout') {
          if (result.outcome !== 'ok') return void failedCycles++;
          logouts++;
          signedOut.push(beforeLogout!);
          if (signedOut.length > signedOutKept) signedOut.shift();
        }
      };
      if (step === 0) agent = newAgent(adapter.headers);
      if (name === 'login') return { name, args: account, agent, settled };
      if (name === 'logout') beforeLogout = copyAgent(agent);
      return { name, args: {}, agent, options: { via }, settled };
    };
    return [
      operationLoop({
        adapter,
        next: cycle,
        unreadable: (message) => {
          unreadable++;
          firstUnreadable ??= message;
          step = 0;
        },
      }),
    ];
  };

  const start = hasStats ? await controls.stats(url) : null;
  const memoryStart = await context.server.memory();
  const samples: Sample[] = [];
  const running = drive({ url, load: { model: 'open', ratePerSecond, connections }, durationSeconds, requestsFor });
  const sampler = setInterval(() => {
    void (async () => {
      const second = Math.round(running.elapsedMs() / 1000);
      const [stats, memory] = await Promise.all([hasStats ? controls.stats(url) : null, context.server.memory()]);
      samples.push({ second, live: stats?.live ?? null, rssBytes: memory?.rssBytes ?? null });
      context.progress(
        `second ${second}: ${logins} logins, ${logouts} logouts` +
          `${stats ? `, ${stats.live} live sessions` : ''}${memory ? `, rss ${mib(memory.rssBytes)} MiB` : ''}`,
      );
    })().catch(() => undefined);
  }, 1000);
  const driven = await running.result;
  clearInterval(sampler);
  if (firstUnreadable) context.progress(`${unreadable} answers the adapter could not read, first: ${firstUnreadable}`);
  if (logins === 0)
    throw new Error(
      `session-churn: no sign-in succeeded in ${durationSeconds} s (${firstFailure ?? firstUnreadable ?? 'no answer'})`,
    );

  const end = hasStats ? await controls.stats(url) : null;
  const memoryEnd = await context.server.memory();
  // after the stats: asking who a signed-out client is may open a guest session, which is not churn
  let signedInAfterLogout = 0;
  if (checksLogoutSticks) {
    for (const [index, agent] of signedOut.entries()) {
      const who = await perform(setupUser(target, `signed out ${index + 1}`, agent), adapter, 'whoami', {}, { via });
      if (who.outcome === 'ok' && who.value?.user != null) signedInAfterLogout++;
    }
  }

  const bound = connections * defaults.liveGrowthPerConnection;
  const liveSeries = samples.flatMap((s) => (s.live === null ? [] : [{ x: s.second, y: s.live }]));
  const rssSeries = samples.flatMap((s) => (s.rssBytes === null ? [] : [{ x: s.second, y: s.rssBytes }]));
  const memory: { before: MemorySample; after: MemorySample } | null =
    memoryStart && memoryEnd ? { before: memoryStart, after: memoryEnd } : null;
  const heapGrowth = memory ? memory.after.heapUsedBytes - memory.before.heapUsedBytes : null;
  const [boundCheck, logoutCheck] = sessionChurn.checks;
  const liveCounters: Counter[] =
    start && end
      ? [
          checkedCounter(boundCheck!, Math.max(0, end.live - start.live - bound)),
          { name: 'live sessions at start', value: start.live },
          { name: 'live sessions at end', value: end.live },
          { name: 'live sessions peak', value: Math.max(start.live, end.live, ...liveSeries.map((p) => p.y)) },
          { name: 'sessions ended', value: end.ended - start.ended },
        ]
      : [];
  return scenarioResult(sessionChurn.name, context.server.store, driven, {
    counters: [
      ...liveCounters,
      ...(checksLogoutSticks
        ? [
            checkedCounter(logoutCheck!, signedInAfterLogout),
            { name: 'signed-out clients checked', value: signedOut.length },
          ]
        : []),
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
      ...(unreadable > 0 ? [{ name: 'answers the adapter could not read', value: unreadable }] : []),
    ],
    figures: [
      ...(liveSeries.length > 0
        ? [
            { name: 'live sessions slope', value: round(slope(liveSeries)), unit: 'sessions/s' },
            { name: 'allowed live growth', value: bound, unit: 'sessions' },
          ]
        : []),
      ...(rssSeries.length > 0
        ? [
            { name: 'server RSS slope', value: round(slope(rssSeries) / 1024), unit: 'KiB/s' },
            { name: 'server RSS peak', value: Math.max(...rssSeries.map((p) => p.y)), unit: 'bytes' },
          ]
        : []),
    ],
    memory,
    parameters: { ratePerSecond, connections, adapter: adapter.name },
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
