/**
 * Whether live throughput has levelled off. A server's first seconds run slower than its steady state (JIT,
 * connection setup, caches), and a reference window measured while it still climbs makes every later window look
 * better than it is. Steady means the last `span` whole seconds averaged within `tolerance` of the `span` seconds
 * before them: a slow climb fails that where neighbouring seconds alone would look alike.
 */
export class SteadyThroughput {
  readonly #rates: number[] = [];
  readonly #span: number;
  readonly #tolerance: number;
  readonly #waiters = new Set<() => void>();

  constructor({ span, tolerance }: { span: number; tolerance: number }) {
    this.#span = span;
    this.#tolerance = tolerance;
  }

  /** One whole second's requests per second, in order. */
  add(requestsPerSecond: number): void {
    this.#rates.push(requestsPerSecond);
    if (!this.steady()) return;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  steady(): boolean {
    if (this.#rates.length < 2 * this.#span) return false;
    const recent = mean(this.#rates.slice(-this.#span));
    const earlier = mean(this.#rates.slice(-2 * this.#span, -this.#span));
    return earlier > 0 && Math.abs(recent - earlier) / earlier <= this.#tolerance;
  }

  /** Resolves true once steady, or false when `timeoutMs` passes first. */
  until(timeoutMs: number): Promise<boolean> {
    if (this.steady()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * How far a window's whole seconds spread: (highest - lowest) / mean requests per second, over the seconds that lie
 * wholly inside [startSecond, endSecond); null for fewer than three. A window in which the server switched between
 * two throughput levels spreads far wider than its second-to-second noise, and any ratio taken against it is spoiled.
 */
export function windowSpread(
  window: { startSecond: number; endSecond: number },
  series: readonly { second: number; requestsPerSecond: number }[],
): number | null {
  const rates = series
    .filter((point) => point.second >= window.startSecond && point.second + 1 <= window.endSecond)
    .map((point) => point.requestsPerSecond);
  if (rates.length < 3) return null;
  const average = mean(rates);
  return average > 0 ? (Math.max(...rates) - Math.min(...rates)) / average : null;
}
