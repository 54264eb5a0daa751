import type { Figure } from '../../reports/schema.ts';
import type { StormClient } from './client.ts';

/**
 * The storm's bookkeeping over all clients, kept as it happens so the runner can ask "settled yet?" every few
 * milliseconds without walking 10,000 clients: who is back to 200 and when, who was signed out, and the totals the
 * progress line and the report show.
 */
export class StormBook {
  readonly clients: number;
  requests = 0;
  unauthorized = 0;
  refreshCalls = 0;
  refreshesInFlight = 0;
  failedRefreshes = 0;
  sharedRefreshWaits = 0;
  reuseDetections = 0;
  signedOut = 0;
  /** Milliseconds from the release of the storm until each client was back, in the order they came back. */
  readonly backMs: number[] = [];
  readonly #now: () => number;
  #releasedAtMs: number | null = null;
  /** Clients back or signed out: the ones the storm no longer waits for. */
  #done = 0;

  constructor(clients: number, now: () => number = () => performance.now()) {
    this.clients = clients;
    this.#now = now;
  }

  /** The clock jumped and every client fired its parallel requests: recovery times count from now. */
  release(): void {
    this.#releasedAtMs = this.#now();
  }

  markBack(client: StormClient): void {
    if (this.#releasedAtMs === null || client.backAtMs !== null) return;
    client.backAtMs = this.#now() - this.#releasedAtMs;
    this.backMs.push(client.backAtMs);
    if (!client.signedOut) this.#done++;
  }

  markSignedOut(client: StormClient, code: string): void {
    client.signedOutBy = code;
    this.signedOut++;
    if (code === 'REFRESH_TOKEN_REUSED') this.reuseDetections++;
    if (client.backAtMs === null) this.#done++;
  }

  refreshStarted(): void {
    this.refreshCalls++;
    this.refreshesInFlight++;
  }

  refreshEnded(): void {
    this.refreshesInFlight--;
  }

  /** Every client is back or signed out, and no refresh is on the wire that could still sign one out. */
  settled(): boolean {
    return this.#done === this.clients && this.refreshesInFlight === 0;
  }

  recovery(): Recovery {
    return {
      clients: this.clients,
      backMs: [...this.backMs].sort((a, b) => a - b),
      signedOut: this.signedOut,
    };
  }

  progressLine(): string {
    return (
      `back ${this.backMs.length}/${this.clients}, signed out ${this.signedOut}, requests ${this.requests}, ` +
      `401s ${this.unauthorized}, refreshes ${this.refreshCalls} (${this.refreshesInFlight} in flight)`
    );
  }
}

/** Who came back after the storm, and how fast. */
export interface Recovery {
  clients: number;
  /** Sorted: milliseconds from the release until each client that came back was back. */
  backMs: number[];
  signedOut: number;
}

export function neverBack(recovery: Recovery): number {
  return recovery.clients - recovery.backMs.length;
}

/**
 * The recovery figures. "Time until every client is back" is a measurement only when every client came back; when
 * some never did, it has no value and says how many are missing, rather than reporting the slowest of the others.
 */
export function recoveryFigures(recovery: Recovery): Figure[] {
  const missing = neverBack(recovery);
  const { backMs } = recovery;
  return [
    missing === 0 && backMs.length > 0
      ? { name: 'time until every client is back to 200', value: round(backMs.at(-1)!), unit: 'ms' }
      : {
          name: 'time until every client is back to 200',
          value: null,
          unit: 'ms',
          note: `not reached (${missing} client${missing === 1 ? '' : 's'})`,
        },
    backMs.length > 0
      ? { name: 'median time back to 200', value: round(backMs[Math.floor((backMs.length - 1) / 2)]!), unit: 'ms' }
      : { name: 'median time back to 200', value: null, unit: 'ms', note: 'no client came back' },
  ];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
