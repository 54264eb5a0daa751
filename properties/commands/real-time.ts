import { setTimeout as sleep } from 'node:timers/promises';
import fc, { type AsyncCommand } from 'fast-check';
import type { Model } from '../model.ts';
import type { Real } from './shared.ts';

/**
 * A command against a target without a clock control, where time moves on by itself while the run takes. Before the
 * command the model catches up with the wall clock, and waits out any moment at which an expiry is too close to call;
 * a precondition that time has made false since the command was drawn sets the run aside.
 */
export class InRealTime implements AsyncCommand<Model, Real> {
  constructor(readonly inner: AsyncCommand<Model, Real>) {}

  check(m: Readonly<Model>): boolean {
    return this.inner.check(m);
  }

  async run(m: Model, r: Real): Promise<void> {
    m.syncWithWallClock();
    for (let until = m.ambiguousUntil(); until !== null; until = m.ambiguousUntil()) {
      if (m.clock.kind === 'real-time') m.clock.budget.leftMs -= until - m.now;
      await sleep(until - m.now);
      m.syncWithWallClock();
    }
    fc.pre(this.inner.check(m));
    await this.inner.run(m, r);
  }

  toString(): string {
    return this.inner.toString();
  }
}
