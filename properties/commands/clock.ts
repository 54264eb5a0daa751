import { setTimeout as sleep } from 'node:timers/promises';
import type { AsyncCommand } from 'fast-check';
import type { Model } from '../model.ts';
import { GetSession } from './session.ts';
import { expectControlStatus, viaLabel, violation, type Real, type Via } from './shared.ts';

/**
 * Moves time on: `POST /__control/clock` on every instance, or, on a target without that control, a wait in real
 * time within the property's budget. Refused (precondition) when some expiry would land so close to the new time that
 * the outcome would depend on how long the run took on the wall clock, or when the budget is spent.
 */
export class AdvanceClock implements AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}

  check(m: Readonly<Model>): boolean {
    if (this.ms > m.clockLeftMs() || m.advanceIsAmbiguous(this.ms)) return false;
    if (m.clock.kind === 'control') return true;
    // a wait in real time is worth its cost only when it carries the next deadline past, and not far past it
    const next = m.nextDeadline();
    return next !== null && m.now + this.ms >= next && m.now + this.ms <= next + 3 * m.config.slackMs;
  }

  async run(m: Model, r: Real): Promise<void> {
    if (m.clock.kind === 'real-time') {
      m.clock.budget.leftMs -= this.ms;
      await sleep(this.ms);
      m.now += this.ms;
      return m.syncWithWallClock();
    }
    const reply = await r.target.control(r.history, 'POST', '/__control/clock', { advanceMs: this.ms }, true);
    expectControlStatus(reply, [200], this.toString());
    m.now += this.ms;
  }

  toString(): string {
    return `AdvanceClock(${formatDuration(this.ms)})`;
  }
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  return `${ms / 1000}s`;
}

export interface SessionCounts {
  live: number;
  swept: number;
}

/** Reads the server's session counts (`GET /sessions/stats`). */
export async function sessionCounts(r: Real): Promise<SessionCounts> {
  const reply = await r.target.control(r.history, 'GET', '/sessions/stats');
  expectControlStatus(reply, [200], 'GET /sessions/stats');
  const { live, swept } = reply.body ?? {};
  if (typeof live !== 'number' || typeof swept !== 'number')
    violation(`GET /sessions/stats lacks "live" or "swept": ${JSON.stringify(reply.body)}`);
  return { live, swept };
}

/**
 * `POST /__control/sweep`: every session that expired since the last sweep is removed, and nothing live. The server's
 * swept counter must have grown by at least the sessions of this run that expired (more if an automatic sweep or
 * other sessions count too), and the live count must not grow across the sweep (this assumes no other traffic on
 * the target while the suites run). Whether live sessions survived, the commands after this one find out.
 */
export class Sweep implements AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const before = await sessionCounts(r);
    const reply = await r.target.control(r.history, 'POST', '/__control/sweep');
    expectControlStatus(reply, [200], this.toString());
    const expired = m.sessions.filter((session) => !session.ended && !m.isLive(session));
    const after = await sessionCounts(r);
    const baseline = r.sweptBaseline ?? violation('Sweep: no baseline swept count was read at the start of the run');
    if (after.swept - baseline < expired.length) {
      violation(
        `${this.toString()}: ${expired.length} sessions had expired, the swept count grew by ${after.swept - baseline}`,
      );
    }
    if (after.live > before.live)
      violation(
        `${this.toString()}: the live session count grew from ${before.live} to ${after.live} across the sweep`,
      );
    r.sweptBaseline = after.swept;
    for (const session of expired) m.endSession(session);
  }

  toString(): string {
    return 'Sweep';
  }
}

/**
 * Keeps a session busy across a long stretch: advances the clock by a little less than the idle timeout, then uses
 * the session, again and again, until past the absolute lifetime. Stops early at a step whose outcome would be
 * ambiguous. This is how histories reach an absolute timeout.
 */
export class KeepAlive implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    const { idleMs, absoluteMs } = m.config.timeouts;
    // in real time, only where the whole stretch fits in what is left of the budget
    if (absoluteMs + idleMs > m.clockLeftMs()) return false;
    return client !== undefined && m.resolve(client, this.via).kind === 'session';
  }

  async run(m: Model, r: Real): Promise<void> {
    const { idleMs, absoluteMs } = m.config.timeouts;
    const step = idleMs - 4 * m.config.slackMs;
    if (step <= 0) return;
    const use = new GetSession(this.client, this.via);
    for (let elapsed = 0; elapsed < absoluteMs + idleMs && !m.advanceIsAmbiguous(step); elapsed += step) {
      await new AdvanceClock(step).run(m, r);
      await use.run(m, r);
    }
  }

  toString(): string {
    return `KeepAlive(c${this.client}${viaLabel(this.via)})`;
  }
}
