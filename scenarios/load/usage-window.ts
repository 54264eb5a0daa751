import type { Figure } from '../../reports/schema.ts';
import { ProcessMeter, type ProcessUsage } from './process-meter.ts';

/** Both processes over one window: a slow server and a load generator short of CPU look alike from throughput alone. */
export interface WindowUsage {
  wallMs: number;
  generator: ProcessUsage;
  /** null for a server this run did not start (--target). */
  server: ProcessUsage | null;
}

/** The generator's and the server's usage over consecutive windows, both lapped at the same moments. */
export class UsageWindows {
  readonly #meter = new ProcessMeter();
  readonly #server: () => Promise<ProcessUsage | null>;
  #startedAt = performance.now();

  constructor(serverUsage: () => Promise<ProcessUsage | null>) {
    this.#server = serverUsage;
  }

  /** Closes the window open since the last lap (or since construction) and opens the next. */
  async lap(): Promise<WindowUsage> {
    const server = await this.#server();
    const generator = this.#meter.lap();
    const now = performance.now();
    const wallMs = now - this.#startedAt;
    this.#startedAt = now;
    return { wallMs, generator, server };
  }

  stop(): void {
    this.#meter.stop();
  }
}

/** A process's CPU share (percent of one core), event-loop delay and GC share over a window; `suffix` names it. */
export function usageFigures(who: 'generator' | 'server', usage: ProcessUsage, wallMs: number, suffix = ''): Figure[] {
  const share = (ms: number) => round((ms / Math.max(wallMs, 0.001)) * 100);
  return [
    { name: `${who} CPU share${suffix}`, value: share(usage.cpuMicros / 1000), unit: '% of a core' },
    { name: `${who} event-loop delay p99${suffix}`, value: usage.loopDelayMs.p99, unit: 'ms' },
    { name: `${who} event-loop delay max${suffix}`, value: usage.loopDelayMs.max, unit: 'ms' },
    { name: `${who} GC pauses${suffix}`, value: share(usage.gcMs), unit: '% of the time' },
  ];
}

/** Both processes' figures for one window. */
export function windowFigures(window: WindowUsage, suffix: string): Figure[] {
  return [
    ...usageFigures('generator', window.generator, window.wallMs, suffix),
    ...(window.server ? usageFigures('server', window.server, window.wallMs, suffix) : []),
  ];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
