import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

/**
 * What one process spent over a window: its CPU time and how late its event loop ran. A load generator reports its
 * own figures next to the server's, so a reader can tell a slow server from a generator that could not keep up.
 */
export interface ProcessUsage {
  /** User + system CPU time over the window, microseconds (all threads: may exceed the wall time). */
  cpuMicros: number;
  /** How late the event loop's timer ran over the window, milliseconds. */
  loopDelayMs: LoopDelay;
  /**
   * Time the garbage collector held the main thread over the window, milliseconds: work a caller's own timing of a
   * slice does not see (freeing what a sweep removed is paid later, by whatever runs then).
   */
  gcMs: number;
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

/** CPU time, event-loop delay and GC pauses of the current process, window by window (`lap`). */
export class ProcessMeter {
  readonly #loop: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs });
  readonly #gc = new PerformanceObserver((entries) => {
    for (const entry of entries.getEntries()) this.#gcMs += entry.duration;
  });
  #cpuMicros = cpuMicrosNow();
  #gcMs = 0;

  constructor() {
    this.#loop.enable();
    this.#gc.observe({ entryTypes: ['gc'] });
  }

  /**
   * The usage since the previous lap (or since the meter started), and a new window from now. GC entries reach the
   * observer a tick after the pause, so a pause at the very end of a window may count in the next one.
   */
  lap(): ProcessUsage {
    const cpuMicros = cpuMicrosNow();
    const usage = {
      cpuMicros: cpuMicros - this.#cpuMicros,
      loopDelayMs: loopDelayOf(this.#loop),
      gcMs: Math.round(this.#gcMs * 100) / 100,
    };
    this.#cpuMicros = cpuMicros;
    this.#gcMs = 0;
    this.#loop.reset();
    return usage;
  }

  stop(): void {
    this.#loop.disable();
    this.#gc.disconnect();
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
