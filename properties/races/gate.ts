import { AsyncLocalStorage } from 'node:async_hooks';
import type { Scheduler } from 'fast-check';
import type Koa from 'koa';

/** The header that marks a request as one of the racing requests; its value names the request in reports. */
export const raceHeader = 'x-sessionproof-race';

/** A race that stops making progress is a failure with a description, not a hang. */
const stallMs = 10_000;

interface Paused {
  request: string;
  /** Position of this pause within its request, so pauses are handed to the scheduler in a stable order. */
  step: number;
  label: string;
  resume(): void;
}

/**
 * Lets `fc.scheduler` decide the order in which racing requests reach the store, deterministically.
 *
 * A racing request is tagged by a header; its store calls (and any yield point a deliberately broken store adds)
 * pause here. The gate hands pauses to the scheduler only when the system is quiescent: every racing request has
 * reached the server and each one still running is paused. Only then is the set of choices complete and free of
 * socket timing, and the scheduler picks which pause goes on. Pauses are handed over sorted by request and step, so
 * the scheduler's seeded choice names the same pause on every replay.
 */
export class RaceGate {
  readonly #current = new AsyncLocalStorage<string>();
  #scheduler: Scheduler | null = null;
  #expected = 0;
  readonly #running = new Set<string>();
  #finished = 0;
  readonly #steps = new Map<string, number>();
  /** Paused and not yet handed to the scheduler. */
  #unscheduled: Paused[] = [];
  /** Paused and not yet resumed, so a race that fails can let its requests finish. */
  readonly #held = new Set<Paused>();
  /** How many pauses each racing request is waiting in (handed to the scheduler or not). */
  readonly #paused = new Map<string, number>();
  #onChange: (() => void) | null = null;
  /** Settles when the pause the scheduler just released has resumed. */
  #onResume: (() => void) | null = null;

  /** Koa middleware, first in the chain: runs a tagged request inside its race context and counts it. */
  readonly middleware = async (ctx: Koa.Context, next: Koa.Next): Promise<void> => {
    const request = ctx.get(raceHeader);
    if (!request || this.#scheduler === null) return next();
    this.#running.add(request);
    this.#changed();
    try {
      await this.#current.run(request, next);
    } finally {
      this.#running.delete(request);
      this.#finished++;
      this.#changed();
    }
  };

  /** Waits for the scheduler's go when called by a racing request; returns at once otherwise. */
  pause(label: string): Promise<void> {
    const request = this.#current.getStore();
    if (request === undefined || this.#scheduler === null) return Promise.resolve();
    const step = (this.#steps.get(request) ?? 0) + 1;
    this.#steps.set(request, step);
    this.#paused.set(request, (this.#paused.get(request) ?? 0) + 1);
    return new Promise<void>((resolve) => {
      const paused: Paused = {
        request,
        step,
        label: `${request} ${label}`,
        resume: () => {
          if (!this.#held.delete(paused)) return;
          this.#paused.set(request, this.#paused.get(request)! - 1);
          this.#onResume?.();
          resolve();
        },
      };
      this.#held.add(paused);
      this.#unscheduled.push(paused);
      this.#changed();
    });
  }

  /**
   * Sends the racing requests (each gets its name to put in the race header) and lets the scheduler release their
   * store calls one at a time until every request has been answered.
   */
  async race<T>(
    scheduler: Scheduler,
    requests: Record<string, (header: Record<string, string>) => Promise<T>>,
  ): Promise<Record<string, T>> {
    if (this.#scheduler !== null) throw new Error('one race at a time');
    const names = Object.keys(requests);
    this.#scheduler = scheduler;
    this.#expected = names.length;
    this.#finished = 0;
    this.#steps.clear();
    this.#paused.clear();
    this.#unscheduled = [];
    try {
      const replies = names.map((name) => requests[name]!({ [raceHeader]: name }));
      const settled = Promise.allSettled(replies);
      while (this.#finished < this.#expected) {
        await this.#quiescent();
        if (this.#finished === this.#expected) break;
        for (const paused of this.#unscheduled.sort((a, b) =>
          a.request < b.request ? -1 : a.request > b.request ? 1 : a.step - b.step,
        )) {
          void scheduler.schedule(Promise.resolve(), paused.label).then(paused.resume);
        }
        this.#unscheduled = [];
        // the released request counts as running again before quiescence is judged anew
        const resumed = new Promise<void>((resolve) => (this.#onResume = resolve));
        await scheduler.waitNext(1);
        await resumed;
      }
      await settled;
      const values = await Promise.all(replies);
      return Object.fromEntries(names.map((name, i) => [name, values[i]!]));
    } finally {
      // after a failure, whatever is still paused goes on unscheduled, so no request hangs
      for (const paused of [...this.#held]) paused.resume();
      this.#scheduler = null;
      this.#onChange = null;
      this.#onResume = null;
    }
  }

  #isQuiescent(): boolean {
    if (this.#finished === this.#expected) return true;
    if (this.#running.size + this.#finished < this.#expected) return false;
    return [...this.#running].every((request) => (this.#paused.get(request) ?? 0) > 0);
  }

  #quiescent(): Promise<void> {
    if (this.#isQuiescent()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onChange = null;
        const running = [...this.#running].map(
          (request) => `${request} (${this.#paused.get(request) ? 'paused' : 'running'})`,
        );
        reject(
          new Error(
            `race stalled for ${stallMs} ms: ${this.#finished}/${this.#expected} answered; running: ${running.join(', ') || 'none'}`,
          ),
        );
      }, stallMs);
      this.#onChange = () => {
        if (!this.#isQuiescent()) return;
        clearTimeout(timer);
        this.#onChange = null;
        resolve();
      };
    });
  }

  #changed(): void {
    this.#onChange?.();
  }
}
