import { cleanupUnderLoad, comparisonShare } from '../definitions/cleanup-under-load.ts';
import type { Figure, MemorySample, Phase, ScenarioResult, SeriesPoint } from '../../reports/schema.ts';
import { median } from '../../reports/format.ts';
import { establishClients, type LoadRequest } from '../load/autocannon-run.ts';
import { call, controls, cookieOf, expectOk, type SessionStats, type SweepPass } from '../load/contract.ts';
import { drive, type DriveResult } from '../load/drive.ts';
import { createGuestSessions, type GuestSession } from '../load/populate.ts';
import { SteadyThroughput, windowSpread } from '../load/steady-throughput.ts';
import { UsageWindows, windowFigures, type WindowUsage } from '../load/usage-window.ts';
import { checkedCounter, loadModel, scenarioResult, ScenarioNotApplicable, type ScenarioContext } from '../scenario.ts';

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
  const afterSeconds = Math.min(defaults.afterSeconds, beforeSeconds);
  const compareBudgets = options.compareBudgets ?? defaults.compareBudgets;
  // The warm-up group and the comparison groups come out of the expired share, so the population is the size asked for.
  const compareCount = Math.round(expiredCount * comparisonShare(compareBudgets.length, defaults));
  const warmupCount = Math.round(expiredCount * defaults.warmupSweepShare);
  const mainCount = expiredCount - warmupCount - compareBudgets.length * compareCount;
  if (compareBudgets.length > 0 && compareCount < defaults.minCompareSessions)
    throw new ScenarioNotApplicable(
      `${compareBudgets.length} budget comparisons would sweep ${compareCount} sessions each, under the ${defaults.minCompareSessions} a sweep needs to be timed: compare fewer budgets or give more --sessions`,
    );
  await controls.require(url, ['clock', 'sweep']);
  const memoryEmpty = await context.server.memory();

  // Each group is created an hour after the one before, so each expires on its own when the clock moves on an hour:
  // the warm-up group first, then the main one, then one per comparison budget.
  const progressCreated = (what: string, of: number) => (created: number) =>
    context.progress(`creating ${what} sessions: ${created}/${of}`);
  const createGroup = (what: string, count: number) =>
    createGuestSessions(url, count, { sampleEvery: Number.MAX_SAFE_INTEGER, onProgress: progressCreated(what, count) });
  const warmupGroup = await createGroup('warm-up', warmupCount);
  await controls.advanceClock(url, hour);
  const expired = await createGroup('to-expire', mainCount);
  const compared: number[] = [];
  for (const [i, percent] of compareBudgets.entries()) {
    await controls.advanceClock(url, hour);
    compared.push((await createGroup(`to-expire (${percent}% budget, group ${i + 1})`, compareCount)).created);
  }
  // Past the warm-up group's idle timeout only; the live sessions outlast every later hour.
  await controls.advanceClock(url, defaults.guestIdleMs + 60_000 - (compareBudgets.length + 1) * hour);
  const passive = await createGuestSessions(url, passiveCount, {
    sampleEvery: Math.max(1, Math.floor(passiveCount / liveSample)),
    onProgress: progressCreated('live', passiveCount),
  });
  const setupSeconds = warmupGroup.seconds + expired.seconds + passive.seconds;
  const creationRate = setupSeconds > 0 ? (warmupGroup.created + expired.created + passive.created) / setupSeconds : 0;
  const comparedTotal = compared.reduce((sum, count) => sum + count, 0);
  context.progress(
    `${expired.created} expired and ${passive.created} live sessions in ${setupSeconds.toFixed(1)} s (${Math.round(creationRate)}/s)`,
  );

  const active = await establishClients(clientCount, async (): Promise<GuestSession> => {
    const reply = await expectOk<{ id: string }>(url, '/session');
    return { cookie: cookieOf(reply), id: reply.body.id };
  });
  const memoryBefore = await context.server.memory();
  const measured = await sweepsUnderTraffic(context, { active, beforeSeconds, afterSeconds, compareBudgets });
  const { before, main, driven, comparisons } = measured;
  const removed = main.pass.removed;

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
  // The A of each A-B-A: the reference window, then the window after each sweep in turn.
  const referenceBefore = [
    phaseNamed('before-sweep'),
    ...comparisons.map((c) => phaseNamed(c.phase.replace('during', 'after'))),
  ];
  const mainWindows = {
    before: referenceBefore[0],
    during: phaseNamed('during-sweep'),
    after: phaseNamed('after-sweep'),
  };
  const comparisonFigures = comparisons.flatMap(({ label, phase, sweep, usage }, i) => [
    ...sweepFigures(` at ${label} budget`, sweep, {
      before: referenceBefore[i],
      during: phaseNamed(phase),
      after: referenceBefore[i + 1],
    }),
    { name: `sweep duration at ${label} budget`, value: round(sweep.seconds), unit: 's' },
    ...shareFigures(windowFigures(usage, ` during the sweep at ${label} budget`)),
  ]);
  const memory = memoryBefore && memoryAfter ? { before: memoryBefore, after: memoryAfter } : null;
  return scenarioResult(cleanupUnderLoad.name, context.server.store, driven, {
    counters: [
      checkedCounter(expiredCheck!, after.expiredAwaitingSweep),
      checkedCounter(lostCheck!, Math.max(liveShortfall, lostActive + lostSampled)),
      { name: 'sessions created', value: warmupGroup.created + expired.created + passive.created + comparedTotal },
      { name: 'sessions swept in warm-up', value: measured.warmupSweep.removed.sessions },
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
      { name: 'session creations refused', value: warmupGroup.failed + expired.failed + passive.failed },
    ],
    figures: [
      { name: 'warm-up', value: round(measured.warmupSeconds), unit: 's' },
      { name: 'warm-up reached steady throughput', value: measured.reachedSteady ? 1 : 0, unit: '1 yes, 0 no' },
      ...spreadFigure(mainWindows.before, driven.timeSeries),
      ...sweepFigures('', main, mainWindows),
      { name: 'sweep duration', value: round(main.seconds), unit: 's' },
      ...windowFigures(measured.usageBefore, ' before the sweep'),
      ...windowFigures(measured.usageDuring, ' during the sweep'),
      ...(main.pass.budget
        ? [
            { name: 'sweep budget', value: main.pass.budget.percent, unit: '% of a busy server' },
            { name: 'sweep slice budget', value: main.pass.budget.sliceMs, unit: 'ms' },
          ]
        : []),
      ...(main.pass.slices === undefined ? [] : [{ name: 'sweep slices', value: main.pass.slices, unit: 'slices' }]),
      ...comparisonFigures,
      ...medianFigures(comparisonFigures, comparisons),
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
      warmupGroup: warmupCount,
    },
  });
}

async function sessionIdOf(url: string, cookie: string): Promise<string | null> {
  const reply = await call<{ id: string }>(url, '/session', { cookie });
  return reply.status === 200 ? reply.body.id : null;
}

interface Comparison {
  percent: number;
  /** `5%`, or `5% #2` for the second sweep at a budget compared more than once. */
  label: string;
  /** The phase during its sweep; `after-…` names the window after it. */
  phase: string;
  sweep: TimedSweep;
  usage: WindowUsage;
}

interface SweepsUnderTraffic {
  driven: DriveResult;
  /** The store's counts once the main group has expired, just before the reference window. */
  before: SessionStats;
  warmupSweep: SweepPass;
  warmupSeconds: number;
  reachedSteady: boolean;
  main: TimedSweep;
  usageBefore: WindowUsage;
  usageDuring: WindowUsage;
  comparisons: Comparison[];
}

/**
 * The live clients' traffic from warm-up to the last comparison. Warm-up sweeps the warm-up group (unmeasured) and
 * lasts until throughput is steady; then the main group expires, and each sweep runs between a window before it and
 * one after, the mean of which is its baseline (A-B-A), so a drift in throughput is not charged to the sweep.
 */
async function sweepsUnderTraffic(
  context: ScenarioContext,
  plan: { active: GuestSession[]; beforeSeconds: number; afterSeconds: number; compareBudgets: number[] },
): Promise<SweepsUnderTraffic> {
  const defaults = cleanupUnderLoad.defaults;
  const { url } = context.server;
  const { active, beforeSeconds, afterSeconds } = plan;
  const requestsFor = (index: number): LoadRequest[] => {
    const { cookie } = active[index % active.length]!;
    return cleanupUnderLoad.mix.map((request) => ({ method: request.method, path: request.path, headers: { cookie } }));
  };
  const steady = new SteadyThroughput({ span: defaults.steadySpan, tolerance: defaults.steadyTolerance });
  const running = drive({
    url,
    load: loadModel(context.load, active.length),
    durationSeconds: 3600,
    requestsFor,
    onSecond: (point) => {
      steady.add(point.requestsPerSecond);
      context.progress(
        `second ${point.second + 1}: ${point.requestsPerSecond} req/s, p99 ${point.p99Ms.toFixed(2)} ms`,
      );
    },
  });
  // Both processes' CPU, loop delay and GC per window: a generator short of CPU lowers the live throughput too, and GC
  // freeing what the sweep removed is work the sweep's budget does not charge.
  const windows = new UsageWindows(() => context.server.usage());
  try {
    const warmupSweep = await controls.sweep(url);
    const minWarmupMs = Math.min(defaults.warmupSeconds, beforeSeconds / 2) * 1000;
    await sleep(Math.max(0, minWarmupMs - running.elapsedMs()));
    const reachedSteady = await steady.until(
      Math.max(0, defaults.maxWarmupWindows * beforeSeconds * 1000 - running.elapsedMs()),
    );
    const warmupSeconds = running.elapsedMs() / 1000;
    context.progress(
      `warm-up: ${warmupSweep.removed.sessions} sessions swept; throughput ${reachedSteady ? 'steady' : 'not yet steady'} after ${warmupSeconds.toFixed(1)} s`,
    );
    await controls.advanceClock(url, hour);
    const before = await controls.stats(url);

    running.mark('before-sweep');
    await windows.lap();
    await sleep(beforeSeconds * 1000);
    running.mark('during-sweep');
    const usageBefore = await windows.lap();
    const main = await timedSweep(url);
    running.mark('after-sweep');
    const usageDuring = await windows.lap();
    context.progress(`swept ${main.pass.removed.sessions} sessions in ${main.seconds.toFixed(2)} s`);
    await sleep(afterSeconds * 1000);
    // A server that reports no budget takes none: its comparison groups are still swept, at its own pace.
    const sliceMs = main.pass.budget?.sliceMs;
    const comparisons: Comparison[] = [];
    for (const [i, percent] of plan.compareBudgets.entries()) {
      running.mark(null);
      await controls.advanceClock(url, hour);
      const repeat = plan.compareBudgets.slice(0, i).filter((earlier) => earlier === percent).length + 1;
      const label = repeat > 1 ? `${percent}% #${repeat}` : `${percent}%`;
      const phase = `during-sweep-budget-${percent}${repeat > 1 ? `-${repeat}` : ''}`;
      running.mark(phase);
      await windows.lap();
      const sweep = await timedSweep(url, sliceMs === undefined ? undefined : { percent, sliceMs });
      running.mark(phase.replace('during', 'after'));
      const usage = await windows.lap();
      context.progress(`swept ${sweep.pass.removed.sessions} sessions at ${percent}% in ${sweep.seconds.toFixed(2)} s`);
      await sleep(afterSeconds * 1000);
      comparisons.push({ percent, label, phase, sweep, usage });
    }
    running.stop();
    const driven = await running.result;
    return { driven, before, warmupSweep, warmupSeconds, reachedSteady, main, usageBefore, usageDuring, comparisons };
  } finally {
    windows.stop();
    running.stop();
  }
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

/**
 * Sweep rate; live throughput and p99 during the sweep over the mean of the windows before and after it, and after
 * over before (a drift, or the sweep's aftermath); the share of the pass the sweeper charged to itself, and the longest
 * slice. `suffix` names the budget.
 */
function sweepFigures(
  suffix: string,
  sweep: TimedSweep,
  { before, during, after }: { before?: Phase | undefined; during?: Phase | undefined; after?: Phase | undefined },
): Figure[] {
  const figures: Figure[] = [
    {
      name: `sweep rate${suffix}`,
      value: Math.round(sweep.pass.removed.sessions / Math.max(sweep.seconds, 0.001)),
      unit: 'sessions/s',
    },
  ];
  if (before && during && after && before.requestsPerSecond > 0) {
    const baseline = (before.requestsPerSecond + after.requestsPerSecond) / 2;
    const baselineP99 = (before.latencyMs.p99 + after.latencyMs.p99) / 2;
    figures.push(
      {
        name: `live throughput during / around sweep${suffix}`,
        value: round(during.requestsPerSecond / baseline),
        unit: 'ratio',
      },
      {
        name: `live p99 during / around sweep${suffix}`,
        value: round(during.latencyMs.p99 / Math.max(baselineP99, 0.001)),
        unit: 'ratio',
      },
      {
        name: `live throughput after / before sweep${suffix}`,
        value: round(after.requestsPerSecond / before.requestsPerSecond),
        unit: 'ratio',
      },
    );
  }
  const { chargedMs, pausedMs } = sweep.pass;
  if (chargedMs !== undefined && pausedMs !== undefined && chargedMs + pausedMs > 0)
    figures.push({
      name: `sweep share taken${suffix}`,
      value: Math.round((chargedMs / (chargedMs + pausedMs)) * 1000) / 10,
      unit: '% of its slices and pauses',
    });
  if (sweep.pass.longestSliceMs !== undefined)
    figures.push({ name: `longest sweep slice${suffix}`, value: round(sweep.pass.longestSliceMs), unit: 'ms' });
  return figures;
}

/** For a budget compared more than once (`--compare-budgets 5,5,5`), the median of its sweeps' rate and live ratio. */
function medianFigures(figures: Figure[], comparisons: Comparison[]): Figure[] {
  const percents = [...new Set(comparisons.map((c) => c.percent))].filter(
    (percent) => comparisons.filter((c) => c.percent === percent).length > 1,
  );
  return percents.flatMap((percent) => {
    const labels = comparisons.filter((c) => c.percent === percent).map((c) => c.label);
    return ['sweep rate', 'live throughput during / around sweep'].flatMap((base) => {
      const names = new Set(labels.map((label) => `${base} at ${label} budget`));
      const values = figures.filter((f) => names.has(f.name) && f.value !== null).map((f) => f.value!);
      if (values.length === 0) return [];
      const unit = figures.find((f) => names.has(f.name))!.unit;
      return [
        { name: `median ${base} at ${percent}% budget (${values.length} sweeps)`, value: round(median(values)!), unit },
      ];
    });
  });
}

/** The reference window's spread: a switch between throughput levels inside it shows as several times the usual. */
function spreadFigure(window: Phase | undefined, series: SeriesPoint[]): Figure[] {
  const spread = window ? windowSpread(window, series) : null;
  return spread === null
    ? []
    : [{ name: 'reference window spread (highest - lowest second) / mean', value: round(spread), unit: 'ratio' }];
}

/** Of a window's usage figures, the shares (CPU, GC): a sweep of a fraction of a second has no loop-delay tail. */
function shareFigures(figures: Figure[]): Figure[] {
  return figures.filter((figure) => figure.unit.startsWith('%'));
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
