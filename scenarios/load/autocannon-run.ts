import autocannon from 'autocannon';
import hdr from 'hdr-histogram-js';

/** One HTTP request a connection sends, over and over (with the others of its sequence, in order). */
export type LoadRequest = autocannon.Request;

export interface LoadRunOptions {
  /** Base URL of the server; request paths are relative to it. */
  url: string;
  connections: number;
  durationSeconds: number;
  /**
   * The request sequence connection `index` repeats. Each connection's own cookies, CSRF token or bearer token go
   * here, so a connection behaves as one client keeping its identity for the whole run.
   */
  requestsFor: (index: number) => LoadRequest[];
  timeoutSeconds?: number;
}

export interface LoadFigures {
  /** Completed responses, whatever their status. */
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Latency of 2xx responses, to the microsecond. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/**
 * The figures of one workload over one or more autocannon runs (a measurement split into slices, a window of a
 * scenario). autocannon's own latency histogram keeps whole milliseconds, too coarse for a fast server, so
 * latency is kept here in microseconds from the response times autocannon reports.
 */
export class LoadTally {
  readonly #latencyUs = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  #requests = 0;
  #durationSeconds = 0;
  #non2xx = 0;
  #errors = 0;
  #timeouts = 0;
  readonly #statusCodes: Record<string, number> = {};

  recordResponse(statusCode: number, responseTimeMs: number): void {
    if (statusCode >= 200 && statusCode < 300)
      this.#latencyUs.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
  }

  recordRun(result: autocannon.Result): void {
    this.#requests += result.requests.total;
    this.#durationSeconds += result.duration;
    this.#non2xx += result.non2xx;
    this.#errors += result.errors;
    this.#timeouts += result.timeouts;
    for (const [status, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) {
      this.#statusCodes[status] = (this.#statusCodes[status] ?? 0) + count;
    }
  }

  figures(): LoadFigures {
    const ms = (us: number) => Math.round(us) / 1000;
    const latency = this.#latencyUs;
    return {
      requests: this.#requests,
      durationSeconds: Math.round(this.#durationSeconds * 100) / 100,
      requestsPerSecond: this.#durationSeconds > 0 ? this.#requests / this.#durationSeconds : 0,
      latencyMs: {
        mean: ms(latency.totalCount > 0 ? latency.mean : 0),
        p50: ms(latency.getValueAtPercentile(50)),
        p90: ms(latency.getValueAtPercentile(90)),
        p99: ms(latency.getValueAtPercentile(99)),
        max: ms(latency.maxValue),
      },
      non2xx: this.#non2xx,
      errors: this.#errors,
      timeouts: this.#timeouts,
      statusCodes: { ...this.#statusCodes },
    };
  }

  /** Frees the histogram (hdr-histogram-js may hold WebAssembly memory). */
  destroy(): void {
    this.#latencyUs.destroy();
  }
}

/**
 * Runs autocannon with a per-connection request sequence, adding its figures to `tally`. autocannon builds one
 * Client per connection and hands each to `setupClient` once, in order, so counting calls gives each connection
 * its index.
 */
export function runLoad(options: LoadRunOptions, tally: LoadTally): Promise<void> {
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: options.timeoutSeconds ?? 10,
        setupClient: (client) => client.setRequests(options.requestsFor(next++ % options.connections)),
      },
      (error: unknown, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        tally.recordRun(result);
        resolve();
      },
    );
    instance.on('response', (_client, statusCode: number, _bytes, responseTimeMs: number) =>
      tally.recordResponse(statusCode, responseTimeMs),
    );
  });
}

/** Sets up `count` clients through the contract (sign-ins, first requests), a few at a time. */
export async function establishClients<T>(
  count: number,
  establish: (index: number) => Promise<T>,
  concurrency = 8,
): Promise<T[]> {
  const clients: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      clients[index] = await establish(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return clients;
}
