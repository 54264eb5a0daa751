import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Store, SweepResult } from './stores/store.ts';
import type { Counter } from 'prom-client';

/**
 * How much of the server a sweep may take, after Redis's active expiry (a time limit per cycle and a share of CPU,
 * ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). A slice is one store call: on memory it holds the event loop, on Redis the
 * server (a script runs alone), on PostgreSQL a statement's locks and a backend.
 */
export interface SweepBudget {
  /** What one slice should take at most; each batch is sized from how long the last one took. */
  sliceMs: number;
  /** The share of a busy server, in percent, the sweep takes: after a slice, live traffic gets the rest. */
  percent: number;
}

/** One sweep pass: what it removed and how it was cut up. */
export interface SweepPass {
  removed: SweepResult;
  /** Store calls made, each one slice. */
  slices: number;
  /** The slices' time as charged to the budget, and the pauses between them: the share the pass took is their ratio. */
  chargedMs: number;
  pausedMs: number;
  /**
   * The longest slice: as the store timed its work, or, for a store in this process, the CPU the call took (at most
   * its wall time), which may be more than it was charged (inProcessCharge).
   */
  longestSliceMs: number;
  budget: SweepBudget;
}

export interface Sweeper {
  /** Sweeps everything expired at the time the pass starts, in slices; passes never overlap. */
  sweep(budget?: SweepBudget): Promise<SweepPass>;
  start(): void;
  stop(): Promise<void>;
}

interface SweeperOptions {
  store: Store;
  clock: Clock;
  intervalMs: number;
  /** The most sessions one store call removes, however fast the store is. */
  batchSize: number;
  budget: SweepBudget;
  logger: Logger;
  swept: Counter<'kind'>;
}

/** The first batch of a pass, before any slice has been timed. */
const firstBatchSize = 64;

/**
 * Removes expired sessions with their guest carts and refresh families, a slice at a time, so a sweep of a million
 * sessions does not starve live traffic. Each slice is one store call whose batch size follows the slice budget.
 * Between slices the sweeper pauses so that on a busy server it takes `percent` of the time, the pause measured as
 * it passed (a timer that fires early owes the difference to the next pause); the pause shrinks when the event loop
 * was mostly idle during the last one, so on an idle server nobody waits and the sweep runs nearly flat out (where
 * Redis's slow cycle would keep to its share).
 *
 * A slice is charged what it cost the store: Redis and PostgreSQL measure their own work (`workMs`), so neither the
 * network nor a queue in front of the store counts; a store in this process is charged the CPU the call took (at
 * most its wall time), so time the OS hands to other processes is not charged to the sweep, and an outlier is charged
 * as an ordinary slice (inProcessCharge).
 */
export function createSweeper({ store, clock, intervalMs, batchSize, budget, logger, swept }: SweeperOptions): Sweeper {
  let running: Promise<SweepPass> | null = null;
  let timer: NodeJS.Timeout | null = null;
  // A pass on a busy server can take many pauses: stopping ends it at the next slice, the rest waits for a restart.
  let stopping = false;

  async function pass(budget: SweepBudget): Promise<SweepPass> {
    const removed: SweepResult = { sessions: 0, carts: 0, refreshFamilies: 0 };
    const now = clock.now();
    let size = Math.min(firstBatchSize, batchSize);
    let slices = 0;
    let longestSliceMs = 0;
    // Assume a busy loop until a pause shows otherwise: the safe side for live traffic.
    let busy = 1;
    // Pause time owed to live traffic, or (below 0) owed to the sweep: a timer counts from the loop's cached clock
    // (read before the slice ran) and in whole milliseconds, so it fires early by up to the slice and more, and on a
    // busy loop it fires late, after the requests in hand. The difference goes to the next pause, so over a pass the
    // sweep takes its share, neither more nor less; a credit is at most one pause, so a stall is not paid back in a run
    // of back-to-back slices.
    let owedMs = 0;
    let chargedMs = 0;
    let pausedMs = 0;
    // The cheapest a session has cost in this pass's in-process slices: the yardstick an outlier is judged by.
    let cheapestMsPerSession = Infinity;
    for (;;) {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      const batch = await store.sweep(now, size);
      let sliceMs = batch.workMs;
      if (sliceMs === undefined) {
        const tookMs = Math.min(performance.now() - started, cpuMs(process.cpuUsage(cpuStarted)));
        longestSliceMs = Math.max(longestSliceMs, tookMs);
        sliceMs = inProcessCharge(tookMs, batch.sessions, cheapestMsPerSession, budget.sliceMs);
        if (batch.sessions > 0 && tookMs >= minTimedMs)
          cheapestMsPerSession = Math.min(cheapestMsPerSession, tookMs / batch.sessions);
      } else longestSliceMs = Math.max(longestSliceMs, sliceMs);
      slices++;
      chargedMs += sliceMs;
      removed.sessions += batch.sessions;
      removed.carts += batch.carts;
      removed.refreshFamilies += batch.refreshFamilies;
      if (batch.sessions < size || stopping) break;
      size = nextBatchSize(size, sliceMs, budget.sliceMs, batchSize);
      if (budget.percent >= 100) await new Promise((resolve) => setImmediate(resolve));
      else {
        const dueMs = pauseAfter(sliceMs, budget, busy);
        const wantedMs = dueMs + owedMs;
        const paused = await pause(wantedMs);
        owedMs = Math.max(-dueMs, wantedMs - paused.ms);
        pausedMs += paused.ms;
        busy = (busy + paused.utilization) / 2;
      }
    }
    swept.inc({ kind: 'sessions' }, removed.sessions);
    swept.inc({ kind: 'carts' }, removed.carts);
    swept.inc({ kind: 'refresh_families' }, removed.refreshFamilies);
    const done = { removed, slices, longestSliceMs, chargedMs: round(chargedMs), pausedMs: round(pausedMs), budget };
    if (removed.sessions > 0) logger.info(done, 'sweep');
    return done;
  }

  function sweep(override?: SweepBudget): Promise<SweepPass> {
    const queued = (running ?? Promise.resolve()).catch(() => undefined).then(() => pass(override ?? budget));
    running = queued;
    void queued
      .finally(() => {
        if (running === queued) running = null;
      })
      .catch(() => undefined);
    return queued;
  }

  return {
    sweep,
    start() {
      stopping = false;
      if (timer || intervalMs <= 0) return;
      timer = setInterval(() => {
        sweep().catch((error: unknown) => logger.warn({ err: error }, 'sweep failed'));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}

function cpuMs({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1000;
}

/** A slice shorter than this is too short for the CPU clock to time its sessions' cost. */
const minTimedMs = 0.05;

/** How many times its sessions' cheapest cost a slice may be charged before the rest counts as not the sweep's. */
const outlierFactor = 4;

/**
 * What an in-process slice is charged: what it took, but no more than `outlierFactor` times its sessions at the
 * cheapest per-session cost this pass has timed, unless that is under the slice budget. A GC pause or another thread
 * of the process running in the middle of a call would otherwise bill the sweep nineteen times its length in pause (at
 * 5 %) for time that was not its work; the loop was held either way, and the pass's longest slice still reports it.
 */
export function inProcessCharge(
  tookMs: number,
  sessions: number,
  cheapestMsPerSession: number,
  sliceMs: number,
): number {
  if (!Number.isFinite(cheapestMsPerSession)) return tookMs;
  return Math.min(tookMs, Math.max(sliceMs, outlierFactor * cheapestMsPerSession * sessions));
}

/** Scales the batch toward the slice budget, at most doubling or halving at a time so one odd slice cannot swing it. */
export function nextBatchSize(size: number, tookMs: number, sliceMs: number, maxSize: number): number {
  const scale = Math.min(2, Math.max(0.5, sliceMs / Math.max(tookMs, 0.001)));
  return Math.max(1, Math.min(maxSize, Math.round(size * scale)));
}

/**
 * Live traffic's turn after a slice: (100 - percent) / percent of the slice on a busy loop, less on a loop that was
 * mostly idle. A loop at least half busy counts as fully busy: under closed-loop clients (or a load generator short of
 * CPU) the loop idles while answers travel, and that idle time is no capacity to spare. Below half, the pause shrinks
 * in proportion (a timer waits at least 1 ms, though). At 100 % the sweeper only yields once to the event loop.
 */
export function pauseAfter(sliceMs: number, budget: SweepBudget, busy: number): number {
  return ((sliceMs * (100 - budget.percent)) / budget.percent) * Math.min(1, 2 * busy);
}

/**
 * Waits `pauseMs` on a timer, so the loop can sit idle (or, with nothing owed, only lets the requests in hand run);
 * reports how long it waited and the loop's utilization.
 */
async function pause(pauseMs: number): Promise<{ ms: number; utilization: number }> {
  const started = performance.now();
  const before = performance.eventLoopUtilization();
  await new Promise((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
  return { ms: performance.now() - started, utilization: performance.eventLoopUtilization(before).utilization };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
