import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * What one process spent over a window: its CPU time and how late its event loop ran. A load generator reports its
 * own figures next to the server's, so a reader can tell a slow server from a generator that could not keep up.
 */
export interface ProcessUsage {
  /** User + system CPU time over the window, microseconds (all threads: may exceed the wall time). */
  cpuMicros: number;
  /** How late the event loop's timer ran over the window, milliseconds. */
  loopDelayMs: LoopDelay;
}

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/**
 * The timer interval of the loop-delay histogram. Node records each interval between timer runs including the
 * interval itself, so the delay is the recorded value minus this.
 */
const resolutionMs = 10;

/** CPU time and event-loop delay of the current process, window by window (`lap`). */
export class ProcessMeter {
  readonly #loop: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs });
  #cpuMicros = cpuMicrosNow();

  constructor() {
    this.#loop.enable();
  }

  /** The usage since the previous lap (or since the meter started), and a new window from now. */
  lap(): ProcessUsage {
    const cpuMicros = cpuMicrosNow();
    const usage = { cpuMicros: cpuMicros - this.#cpuMicros, loopDelayMs: loopDelayOf(this.#loop) };
    this.#cpuMicros = cpuMicros;
    this.#loop.reset();
    return usage;
  }

  stop(): void {
    this.#loop.disable();
  }
}

/** This process's CPU time so far (user + system), microseconds. */
export function cpuMicrosNow(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

export function loopDelayOf(histogram: IntervalHistogram): LoopDelay {
  const delayMs = (ns: number) => Math.round(Math.max(0, ns / 1e6 - resolutionMs) * 100) / 100;
  if (histogram.count === 0) return { p50: 0, p99: 0, max: 0 };
  return {
    p50: delayMs(histogram.percentile(50)),
    p99: delayMs(histogram.percentile(99)),
    max: delayMs(histogram.max),
  };
}

/** The most memory this process has held at once since it started (resident set size), bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
