import { cleanupUnderLoad } from '../definitions/cleanup-under-load.ts';
import type { Figure, MemorySample, Phase, ScenarioResult } from '../../reports/schema.ts';
import { establishClients, type LoadRequest } from '../load/autocannon-run.ts';
import { call, controls, cookieOf, expectOk, type SweepPass } from '../load/contract.ts';
import { drive } from '../load/drive.ts';
import { createGuestSessions, type GuestSession } from '../load/populate.ts';
import { UsageWindows, windowFigures, type WindowUsage } from '../load/usage-window.ts';
import { checkedCounter, loadModel, scenarioResult, type ScenarioContext } from '../scenario.ts';

export interface CleanupUnderLoadOptions {
  sessions?: number;
  large?: boolean;
  expiredShare?: number;
  /** Passive live sessions checked one by one afterwards (besides the active clients, always all checked). */
  liveSample?: number;
  /** Budgets (percent) compared after the server's own; [] sweeps once, at the server's budget. */
  compareBudgets?: number[];
}

const hour = 60 * 60_000;

/**
 * M guest sessions, a share of them expired by moving the server clock past the guest idle timeout, then swept
 * (POST /__control/sweep) while live clients keep their own sessions busy. Throughput and latency of the live traffic
 * are compared before and during the sweep. Afterwards no expired session may be left, and no live one lost: the
 * store still counts every live session, and every active client and a sample of the passive ones still have the
 * session id they started with. Then each comparison budget sweeps a group of its own (expired an hour after the
 * one before) under the same live traffic, so one run shows sweep rate against live throughput for several budgets.
 * Memory per live session is the server's growth from empty, after the sweeps, over the live sessions left.
 */
export async function runCleanupUnderLoad(
  context: ScenarioContext,
  options: CleanupUnderLoadOptions = {},
): Promise<ScenarioResult> {
  const defaults = cleanupUnderLoad.defaults;
  const { url } = context.server;
  const total = options.sessions ?? (options.large ? defaults.largeSessions : defaults.sessions);
  const share = options.expiredShare ?? defaults.expiredShare;
  const clientCount = context.load.clients ?? defaults.clients;
  const expiredCount = Math.round(total * share);
  const passiveCount = total - expiredCount;
  const liveSample = options.liveSample ?? 500;
  const beforeSeconds = context.load.durationSeconds ?? defaults.beforeSeconds;
  const compareBudgets = options.compareBudgets ?? defaults.compareBudgets;
  // The comparison groups come out of the expired share, so the population is the size asked for.
  const compareCount = Math.round(expiredCount * defaults.compareShare);
  const mainCount = expiredCount - compareBudgets.length * compareCount;
  if (mainCount < 0)
    throw new Error(`${compareBudgets.length} comparison groups do not fit in ${expiredCount} expired sessions`);
  await controls.require(url, ['clock', 'sweep']);
  const memoryEmpty = await context.server.memory();

  const progressCreated = (what: string, of: number) => (created: number) =>
    context.progress(`creating ${what} sessions: ${created}/${of}`);
  const expired = await createGuestSessions(url, mainCount, {
    sampleEvery: Number.MAX_SAFE_INTEGER,
    onProgress: progressCreated('to-expire', mainCount),
  });
  const compared: number[] = [];
  for (const [i, percent] of compareBudgets.entries()) {
    await controls.advanceClock(url, hour);
    const group = await createGuestSessions(url, compareCount, {
      sampleEvery: Number.MAX_SAFE_INTEGER,
      onProgress: progressCreated(`to-expire (${percent}% budget, group ${i + 1})`, compareCount),
    });
    compared.push(group.created);
  }
  await controls.advanceClock(url, defaults.guestIdleMs + 60_000 - compareBudgets.length * hour);
  const passive = await createGuestSessions(url, passiveCount, {
    sampleEvery: Math.max(1, Math.floor(passiveCount / liveSample)),
    onProgress: progressCreated('live', passiveCount),
  });
  const setupSeconds = expired.seconds + passive.seconds;
  const creationRate = setupSeconds > 0 ? (expired.created + passive.created) / setupSeconds : 0;
  const comparedTotal = compared.reduce((sum, count) => sum + count, 0);
  context.progress(
    `${expired.created} expired and ${passive.created} live sessions in ${setupSeconds.toFixed(1)} s (${Math.round(creationRate)}/s)`,
  );

  const active = await establishClients(clientCount, async (): Promise<GuestSession> => {
    const reply = await expectOk<{ id: string }>(url, '/session');
    return { cookie: cookieOf(reply), id: reply.body.id };
  });
  const before = await controls.stats(url);
  const memoryBefore = await context.server.memory();

  const requestsFor = (index: number): LoadRequest[] => {
    const { cookie } = active[index % clientCount]!;
    return cleanupUnderLoad.mix.map((request) => ({ method: request.method, path: request.path, headers: { cookie } }));
  };
  const running = drive({
    url,
    load: loadModel(context.load, clientCount),
    durationSeconds: 3600,
    requestsFor,
    onSecond: (point) =>
      context.progress(
        `second ${point.second + 1}: ${point.requestsPerSecond} req/s, p99 ${point.p99Ms.toFixed(2)} ms`,
      ),
  });
  // Both processes' CPU, loop delay and GC per window: a generator short of CPU lowers the live throughput too, and GC
  // freeing what the sweep removed is work the sweep's budget does not charge.
  const windows = new UsageWindows(() => context.server.usage());
  // Unmeasured warm-up first (JIT, connection setup), so the reference window measures the steady state.
  await sleep(Math.min(defaults.warmupSeconds, beforeSeconds / 2) * 1000);
  running.mark('before-sweep');
  await windows.lap();
  await sleep(beforeSeconds * 1000);
  running.mark('during-sweep');
  const usageBefore = await windows.lap();
  const main = await timedSweep(url);
  const removed = main.pass.removed;
  running.mark('after-sweep');
  const usageDuring = await windows.lap();
  context.progress(`swept ${removed.sessions} sessions in ${main.seconds.toFixed(2)} s`);
  await sleep(defaults.afterSeconds * 1000);
  // A server that reports no budget takes none: its comparison groups are still swept, at its own pace.
  const sliceMs = main.pass.budget?.sliceMs;
  const comparisons: { percent: number; phase: string; sweep: TimedSweep; usage: WindowUsage }[] = [];
  for (const percent of compareBudgets) {
    running.mark(null);
    await controls.advanceClock(url, hour);
    const phase = `during-sweep-budget-${percent}`;
    running.mark(phase);
    await windows.lap();
    const sweep = await timedSweep(url, sliceMs === undefined ? undefined : { percent, sliceMs });
    running.mark(null);
    const usage = await windows.lap();
    context.progress(`swept ${sweep.pass.removed.sessions} sessions at ${percent}% in ${sweep.seconds.toFixed(2)} s`);
    comparisons.push({ percent, phase, sweep, usage });
  }
  windows.stop();
  running.stop();
  const driven = await running.result;

  const after = await controls.stats(url);
  const memoryAfter = await context.server.memory();
  const lostActive = (await establishClients(clientCount, (i) => sessionIdOf(url, active[i]!.cookie))).filter(
    (id, i) => id !== active[i]!.id,
  ).length;
  const lostSampled = (
    await establishClients(passive.sample.length, (i) => sessionIdOf(url, passive.sample[i]!.cookie))
  ).filter((id, i) => id !== passive.sample[i]!.id).length;
  // Every live session must still count as live: the passive population, the active clients, and whatever the store
  // held before the scenario (a --target may have its own).
  const liveShortfall = Math.max(0, before.live - comparedTotal - after.live);
  const [expiredCheck, lostCheck] = cleanupUnderLoad.checks;
  const phaseNamed = (name: string) => driven.phases.find((phase) => phase.name === name);
  const beforePhase = phaseNamed('before-sweep');
  const memory = memoryBefore && memoryAfter ? { before: memoryBefore, after: memoryAfter } : null;
  return scenarioResult(cleanupUnderLoad.name, context.server.store, driven, {
    counters: [
      checkedCounter(expiredCheck!, after.expiredAwaitingSweep),
      checkedCounter(lostCheck!, Math.max(liveShortfall, lostActive + lostSampled)),
      { name: 'sessions created', value: expired.created + passive.created + comparedTotal },
      { name: 'sessions expired before the sweep', value: before.expiredAwaitingSweep },
      { name: 'sessions swept', value: removed.sessions },
      {
        name: 'sessions swept in the budget comparison',
        value: comparisons.reduce((sum, c) => sum + c.sweep.pass.removed.sessions, 0),
      },
      { name: 'live sessions before the sweep', value: before.live },
      { name: 'live sessions after the sweep', value: after.live },
      { name: 'active clients that lost their session', value: lostActive },
      { name: 'sampled passive sessions checked', value: passive.sample.length },
      { name: 'sampled passive sessions lost', value: lostSampled },
      { name: 'session creations refused', value: expired.failed + passive.failed },
    ],
    figures: [
      ...sweepFigures('', main, beforePhase, phaseNamed('during-sweep')),
      { name: 'sweep duration', value: round(main.seconds), unit: 's' },
      ...windowFigures(usageBefore, ' before the sweep'),
      ...windowFigures(usageDuring, ' during the sweep'),
      ...(main.pass.budget
        ? [
            { name: 'sweep budget', value: main.pass.budget.percent, unit: '% of a busy server' },
            { name: 'sweep slice budget', value: main.pass.budget.sliceMs, unit: 'ms' },
          ]
        : []),
      ...(main.pass.slices === undefined ? [] : [{ name: 'sweep slices', value: main.pass.slices, unit: 'slices' }]),
      ...comparisons.flatMap(({ percent, phase, sweep, usage }) => [
        ...sweepFigures(` at ${percent}% budget`, sweep, beforePhase, phaseNamed(phase)),
        ...windowFigures(usage, ` during the sweep at ${percent}% budget`).filter((figure) => figure.unit !== 'ms'),
      ]),
      { name: 'session creation rate (setup)', value: Math.round(creationRate), unit: 'sessions/s' },
      ...memoryFigures(memory, memoryEmpty, after.live),
    ],
    memory,
    parameters: {
      sessions: total,
      expiredShare: share,
      clients: clientCount,
      compareBudgets: compareBudgets.join(','),
      compareGroup: compareCount,
    },
  });
}

async function sessionIdOf(url: string, cookie: string): Promise<string | null> {
  const reply = await call<{ id: string }>(url, '/session', { cookie });
  return reply.status === 200 ? reply.body.id : null;
}

interface TimedSweep {
  pass: SweepPass;
  seconds: number;
}

async function timedSweep(url: string, budget?: { percent: number; sliceMs: number }): Promise<TimedSweep> {
  const started = performance.now();
  const pass = await controls.sweep(url, budget);
  return { pass, seconds: (performance.now() - started) / 1000 };
}

/** Sweep rate, live throughput and p99 during the sweep over before it, and the longest slice; `suffix` names the budget. */
function sweepFigures(
  suffix: string,
  sweep: TimedSweep,
  before: Phase | undefined,
  during: Phase | undefined,
): Figure[] {
  const figures: Figure[] = [
    {
      name: `sweep rate${suffix}`,
      value: Math.round(sweep.pass.removed.sessions / Math.max(sweep.seconds, 0.001)),
      unit: 'sessions/s',
    },
  ];
  if (before && during && before.requestsPerSecond > 0) {
    figures.push(
      {
        name: `live throughput during / before sweep${suffix}`,
        value: round(during.requestsPerSecond / before.requestsPerSecond),
        unit: 'ratio',
      },
      {
        name: `live p99 during / before sweep${suffix}`,
        value: round(during.latencyMs.p99 / Math.max(before.latencyMs.p99, 0.001)),
        unit: 'ratio',
      },
    );
  }
  if (sweep.pass.longestSliceMs !== undefined)
    figures.push({ name: `longest sweep slice${suffix}`, value: round(sweep.pass.longestSliceMs), unit: 'ms' });
  return figures;
}

function memoryFigures(
  memory: { before: MemorySample; after: MemorySample } | null,
  empty: MemorySample | null,
  live: number,
): Figure[] {
  // A --target server's memory is not this run's to measure: `memory` is null and the table says it is unknown.
  if (!memory || !empty) return [];
  return [
    { name: 'server RSS change over the sweep', value: memory.after.rssBytes - memory.before.rssBytes, unit: 'bytes' },
    // After the sweeps and a full GC: what a live session costs once the expired ones are gone.
    {
      name: 'server RSS per live session',
      value: Math.round((memory.after.rssBytes - empty.rssBytes) / Math.max(live, 1)),
      unit: 'bytes',
    },
    {
      name: 'server heap per live session',
      value: Math.round((memory.after.heapUsedBytes - empty.heapUsedBytes) / Math.max(live, 1)),
      unit: 'bytes',
    },
  ];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
