import { cleanupUnderLoad } from '../definitions/cleanup-under-load.ts';
import type { MemorySample, ScenarioResult } from '../../reports/schema.ts';
import { establishClients, type LoadRequest } from '../load/autocannon-run.ts';
import { call, controls, cookieOf, expectOk } from '../load/contract.ts';
import { drive } from '../load/drive.ts';
import { createGuestSessions, type GuestSession } from '../load/populate.ts';
import { checkedCounter, loadModel, scenarioResult, type ScenarioContext } from '../scenario.ts';

export interface CleanupUnderLoadOptions {
  sessions?: number;
  large?: boolean;
  expiredShare?: number;
  /** Passive live sessions checked one by one afterwards (besides the active clients, always all checked). */
  liveSample?: number;
}

/**
 * M guest sessions, a share of them expired by moving the server clock past the guest idle timeout, then swept
 * (POST /__control/sweep) while live clients keep their own sessions busy. Throughput and latency of the live traffic
 * are compared before and during the sweep. Afterwards no expired session may be left, and no live one lost: the
 * store still counts every live session, and every active client and a sample of the passive ones still have the
 * session id they started with.
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
  await controls.require(url, ['clock', 'sweep']);

  const progressCreated = (what: string, of: number) => (created: number) =>
    context.progress(`creating ${what} sessions: ${created}/${of}`);
  const expired = await createGuestSessions(url, expiredCount, {
    sampleEvery: Number.MAX_SAFE_INTEGER,
    onProgress: progressCreated('to-expire', expiredCount),
  });
  await controls.advanceClock(url, defaults.guestIdleMs + 60_000);
  const passive = await createGuestSessions(url, passiveCount, {
    sampleEvery: Math.max(1, Math.floor(passiveCount / liveSample)),
    onProgress: progressCreated('live', passiveCount),
  });
  const setupSeconds = expired.seconds + passive.seconds;
  const creationRate = setupSeconds > 0 ? (expired.created + passive.created) / setupSeconds : 0;
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
  // Unmeasured warm-up first (JIT, connection setup), so the reference window measures the steady state.
  await sleep(Math.min(defaults.warmupSeconds, beforeSeconds / 2) * 1000);
  running.mark('before-sweep');
  await sleep(beforeSeconds * 1000);
  running.mark('during-sweep');
  const sweepStarted = performance.now();
  const removed = await controls.sweep(url);
  const sweepSeconds = (performance.now() - sweepStarted) / 1000;
  running.mark('after-sweep');
  context.progress(`swept ${removed.sessions} sessions in ${sweepSeconds.toFixed(2)} s`);
  await sleep(defaults.afterSeconds * 1000);
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
  const liveShortfall = Math.max(0, before.live - after.live);
  const [expiredCheck, lostCheck] = cleanupUnderLoad.checks;
  const phases = driven.phases;
  const [beforePhase, duringPhase] = phases;
  const memory = memoryBefore && memoryAfter ? { before: memoryBefore, after: memoryAfter } : null;
  return scenarioResult(cleanupUnderLoad.name, context.server.store, driven, {
    counters: [
      checkedCounter(expiredCheck!, after.expiredAwaitingSweep),
      checkedCounter(lostCheck!, Math.max(liveShortfall, lostActive + lostSampled)),
      { name: 'sessions created', value: expired.created + passive.created },
      { name: 'sessions expired before the sweep', value: before.expiredAwaitingSweep },
      { name: 'sessions swept', value: removed.sessions },
      { name: 'live sessions before the sweep', value: before.live },
      { name: 'live sessions after the sweep', value: after.live },
      { name: 'active clients that lost their session', value: lostActive },
      { name: 'sampled passive sessions checked', value: passive.sample.length },
      { name: 'sampled passive sessions lost', value: lostSampled },
      { name: 'session creations refused', value: expired.failed + passive.failed },
    ],
    figures: [
      { name: 'sweep rate', value: Math.round(removed.sessions / Math.max(sweepSeconds, 0.001)), unit: 'sessions/s' },
      { name: 'sweep duration', value: round(sweepSeconds), unit: 's' },
      { name: 'session creation rate (setup)', value: Math.round(creationRate), unit: 'sessions/s' },
      ...(beforePhase && duringPhase && beforePhase.requestsPerSecond > 0
        ? [
            {
              name: 'live throughput during / before sweep',
              value: round(duringPhase.requestsPerSecond / beforePhase.requestsPerSecond),
              unit: 'ratio',
            },
            {
              name: 'live p99 during / before sweep',
              value: round(duringPhase.latencyMs.p99 / Math.max(beforePhase.latencyMs.p99, 0.001)),
              unit: 'ratio',
            },
          ]
        : []),
      ...memoryFigures(memory),
    ],
    memory,
    parameters: { sessions: total, expiredShare: share, clients: clientCount },
  });
}

async function sessionIdOf(url: string, cookie: string): Promise<string | null> {
  const reply = await call<{ id: string }>(url, '/session', { cookie });
  return reply.status === 200 ? reply.body.id : null;
}

function memoryFigures(memory: { before: MemorySample; after: MemorySample } | null) {
  // A --target server's memory is not this run's to measure: `memory` is null and the table says it is unknown.
  if (!memory) return [];
  return [
    { name: 'server RSS change over the sweep', value: memory.after.rssBytes - memory.before.rssBytes, unit: 'bytes' },
  ];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
