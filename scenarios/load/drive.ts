import autocannon from 'autocannon';
import type { LoadModel, Percentiles, Phase, SeriesPoint } from '../../reports/schema.ts';
import type { LoadRequest } from './autocannon-run.ts';
import { LatencyRecorder } from './latency-recorder.ts';

/**
 * The closed model keeps `connections` requests in flight (each connection sends its next request when the previous
 * one answers); the open model asks for `ratePerSecond` requests per second whatever the server does.
 *
 * How autocannon's open model works (lib/httpClient.js, lib/run.js): `overallRate` is split over the connections
 * (and `connections` is lowered to the rate when the rate is smaller); each connection may start at most its share
 * of requests per one-second tick and still waits for each response before the next, so a stalled server makes it
 * fall behind, and what it fell behind by is dropped rather than sent later. The latency recorder corrects for
 * that (see LatencyRecorder).
 */
export type LoadModelOptions =
  { model: 'closed'; connections: number } | { model: 'open'; ratePerSecond: number; connections: number };

export interface DriveOptions {
  url: string;
  load: LoadModelOptions;
  /** Stops by itself after this long, unless `stop()` comes first. */
  durationSeconds: number;
  /**
   * Connection `index`'s request sequence. Its `setupRequest`/`onResponse` receive autocannon's per-connection
   * context, which autocannon resets (a deep clone of `initialContext`) every time the sequence wraps around, so a
   * sequence is one iteration of a client; what must outlive an iteration lives in the client the sequence was built
   * for.
   */
  requestsFor: (index: number) => LoadRequest[];
  timeoutSeconds?: number;
  /** Called once per second with the second just completed. */
  onSecond?: (point: SeriesPoint, totals: { requests: number; errors: number }) => void;
}

export interface DriveResult {
  load: LoadModel;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { uncorrected: Percentiles; corrected: Percentiles | null };
  timeSeries: SeriesPoint[];
  phases: Phase[];
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
}

export interface Drive {
  /** Starts a named phase (ending the one before); `null` ends the current phase. */
  mark(phase: string | null): void;
  /** Milliseconds since the load started. */
  elapsedMs(): number;
  stop(): void;
  result: Promise<DriveResult>;
}

export function drive(options: DriveOptions): Drive {
  const { load } = options;
  // autocannon lowers the connections to the rate when the rate is smaller; mirror it so the interval is right.
  const connections =
    load.model === 'open' ? Math.max(1, Math.min(load.connections, load.ratePerSecond)) : load.connections;
  const expectedIntervalUs = load.model === 'open' ? Math.round((1e6 * connections) / load.ratePerSecond) : null;
  const recorder = new LatencyRecorder({ expectedIntervalUs });
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let next = 0;

  let reported = 0;
  const ticker = setInterval(() => {
    // Timers drift: report every second completed since the last tick, so no second is skipped or repeated.
    for (const point of recorder.completedSeconds(reported)) {
      options.onSecond?.(point, { requests: recorder.requests, errors });
      reported = point.second + 1;
    }
  }, 1000);

  let finish: (error: unknown, outcome: autocannon.Result) => void = () => {};
  const result = new Promise<DriveResult>((resolve, reject) => {
    finish = (error, outcome) => {
      clearInterval(ticker);
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      recorder.mark(null);
      const durationSeconds = Math.max(0.001, recorder.elapsedMs() / 1000);
      resolve({
        load:
          load.model === 'open'
            ? { model: 'open', ratePerSecond: load.ratePerSecond, connections }
            : { model: 'closed', connections },
        durationSeconds: Math.round(durationSeconds * 1000) / 1000,
        requests: recorder.requests,
        requestsPerSecond: Math.round((recorder.requests / durationSeconds) * 10) / 10,
        latencyMs: { uncorrected: recorder.uncorrected(), corrected: recorder.corrected() },
        timeSeries: recorder.timeSeries(),
        phases: recorder.phases(),
        statusCodes,
        errors: outcome.errors,
        timeouts: outcome.timeouts,
      });
      recorder.destroy();
    };
  });

  const instance = autocannon(
    {
      url: options.url,
      connections,
      duration: options.durationSeconds,
      timeout: options.timeoutSeconds ?? 10,
      ...(load.model === 'open' ? { overallRate: load.ratePerSecond } : {}),
      setupClient: (client) => client.setRequests(options.requestsFor(next++ % connections)),
    },
    (error: unknown, outcome) => finish(error, outcome),
  );
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    recorder.record(responseTimeMs);
  });
  instance.on('reqError', () => errors++);

  return {
    mark: (phase) => recorder.mark(phase),
    elapsedMs: () => recorder.elapsedMs(),
    stop: () => instance.stop(),
    result,
  };
}
