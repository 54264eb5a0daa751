import hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { Percentiles, Phase, SeriesPoint } from '../../reports/schema.ts';

const histogramOptions = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 120_000_000,
  numberOfSignificantValueDigits: 3,
} as const;

function newHistogram(): Histogram {
  return hdr.build(histogramOptions);
}

export function percentilesOf(histogram: Histogram): Percentiles {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
  };
}

interface Window {
  name: string;
  startMs: number;
  requests: number;
  histogram: Histogram;
}

/**
 * Latency of one load run at microsecond resolution, whole-run and per second and per named phase.
 *
 * Coordinated omission: a connection waiting on a slow response sends nothing, so the requests it should have sent
 * meanwhile are never measured. In the open model each connection is meant to send one request every
 * `expectedIntervalUs`; the corrected histogram records each response with HdrHistogram's expected-interval
 * correction, which adds the omitted requests at the latency they would have had counted from their intended send
 * times (value - interval, value - 2 interval, ...). autocannon tries the same but passes `Math.ceil(1 / rate)` as
 * the interval, which is 1 (ms) for any rate of one request per second or more, so its own figures are not a
 * correction; they are not used here.
 */
export class LatencyRecorder {
  readonly #uncorrected = newHistogram();
  readonly #corrected: Histogram | null;
  readonly #expectedIntervalUs: number | null;
  readonly #seconds: { requests: number; histogram: Histogram }[] = [];
  readonly #phases: (Window & { endMs: number | null })[] = [];
  readonly #startMs: number;
  #requests = 0;

  constructor(options: { expectedIntervalUs: number | null; startMs?: number }) {
    this.#expectedIntervalUs = options.expectedIntervalUs;
    this.#corrected = options.expectedIntervalUs === null ? null : newHistogram();
    this.#startMs = options.startMs ?? performance.now();
  }

  get requests(): number {
    return this.#requests;
  }

  /** Milliseconds since the recorder started. */
  elapsedMs(now = performance.now()): number {
    return now - this.#startMs;
  }

  record(responseTimeMs: number, now = performance.now()): void {
    const us = Math.max(1, Math.round(responseTimeMs * 1000));
    this.#requests++;
    this.#uncorrected.recordValue(us);
    if (this.#corrected && this.#expectedIntervalUs !== null)
      this.#corrected.recordValueWithExpectedInterval(us, this.#expectedIntervalUs);
    const second = Math.floor(this.elapsedMs(now) / 1000);
    while (this.#seconds.length <= second) this.#seconds.push({ requests: 0, histogram: newHistogram() });
    const slot = this.#seconds[second]!;
    slot.requests++;
    slot.histogram.recordValue(us);
    const phase = this.#phases.at(-1);
    if (phase && phase.endMs === null) {
      phase.requests++;
      phase.histogram.recordValue(us);
    }
  }

  /** Ends the current phase (if any) and starts `name`; `null` ends the current one without starting another. */
  mark(name: string | null, now = performance.now()): void {
    const current = this.#phases.at(-1);
    if (current && current.endMs === null) current.endMs = this.elapsedMs(now);
    if (name !== null)
      this.#phases.push({ name, startMs: this.elapsedMs(now), endMs: null, requests: 0, histogram: newHistogram() });
  }

  /** The seconds completed by now, from `from` on, for progress lines. */
  completedSeconds(from: number, now = performance.now()): SeriesPoint[] {
    const points: SeriesPoint[] = [];
    for (let second = from; second < Math.floor(this.elapsedMs(now) / 1000); second++) {
      const slot = this.#seconds[second];
      points.push(slot ? seriesPoint(second, slot) : { second, requestsPerSecond: 0, p50Ms: 0, p99Ms: 0 });
    }
    return points;
  }

  uncorrected(): Percentiles {
    return percentilesOf(this.#uncorrected);
  }

  /** Null in the closed model, where no request has an intended send time of its own. */
  corrected(): Percentiles | null {
    return this.#corrected ? percentilesOf(this.#corrected) : null;
  }

  timeSeries(): SeriesPoint[] {
    return this.#seconds.map((slot, second) => seriesPoint(second, slot));
  }

  phases(now = performance.now()): Phase[] {
    return this.#phases.map((phase) => {
      const endMs = phase.endMs ?? this.elapsedMs(now);
      const seconds = Math.max(0.001, (endMs - phase.startMs) / 1000);
      return {
        name: phase.name,
        startSecond: round(phase.startMs / 1000),
        endSecond: round(endMs / 1000),
        requests: phase.requests,
        requestsPerSecond: round(phase.requests / seconds),
        latencyMs: percentilesOf(phase.histogram),
      };
    });
  }

  /** hdr-histogram-js may hold WebAssembly memory; free it once the figures are taken. */
  destroy(): void {
    this.#uncorrected.destroy();
    this.#corrected?.destroy();
    for (const slot of this.#seconds) slot.histogram.destroy();
    for (const phase of this.#phases) phase.histogram.destroy();
  }
}

function seriesPoint(second: number, slot: { requests: number; histogram: Histogram }): SeriesPoint {
  return {
    second,
    requestsPerSecond: slot.requests,
    p50Ms: slot.requests > 0 ? slot.histogram.getValueAtPercentile(50) / 1000 : 0,
    p99Ms: slot.requests > 0 ? slot.histogram.getValueAtPercentile(99) / 1000 : 0,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
