import { setTimeout as sleep } from 'node:timers/promises';
import type { AsyncCommand } from 'fast-check';
import { History } from '../../adapters/history.ts';
import type { Timeouts } from '../../adapters/semantics.ts';
import type { Target } from '../targets.ts';
import type { Model, SessionState } from '../model.ts';
import { GetCart } from './cart.ts';
import { Refresh, refreshOutcome } from './refresh.ts';
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

/** Where a `ToDeadline` lands: a millisecond before the deadline, on it, or a millisecond after. */
export type DeadlineOffset = -1 | 0 | 1;

interface Deadline {
  at: number;
  session: SessionState;
  /** A session's expiry (live before, not at it), or the last millisecond of its refresh grace window. */
  kind: 'expiry' | 'grace-end';
}

/** Deadlines the model knows to the millisecond: expiries of sessions it surely saw last, and grace windows' ends. */
function exactDeadlines(m: Readonly<Model>): Deadline[] {
  const out: Deadline[] = [];
  for (const session of m.sessions) {
    if (session.ended) continue;
    const [lo, hi] = m.expiryBounds(session);
    if (lo === hi) out.push({ at: lo, session, kind: 'expiry' });
    if (session.family && session.family.generation > 0)
      out.push({ at: session.family.rotatedAt + m.config.timeouts.refreshGraceMs, session, kind: 'grace-end' });
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * With exact time (every instance's clock frozen, moved only by the suites): lands a millisecond before, exactly on, or
 * a millisecond after an instant some session expires or some grace window ends, then asks what it concerns. A session
 * is live until the instant it expires and not at it; a repeated refresh is inside the window at its last millisecond
 * and reuse one millisecond later. Off-by-one rules (`<=` for `<`) show here and nowhere else.
 */
export class ToDeadline implements AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly offsetMs: DeadlineOffset,
  ) {}

  check(m: Readonly<Model>): boolean {
    return m.config.exactTime && m.clock.kind === 'control' && this.#landing(m) !== null;
  }

  #landing(m: Readonly<Model>): { ms: number; deadline: Deadline } | null {
    const ahead = exactDeadlines(m).filter((deadline) => deadline.at + this.offsetMs > m.now);
    const deadline = ahead[this.pick % Math.max(ahead.length, 1)];
    if (deadline === undefined) return null;
    const ms = deadline.at + this.offsetMs - m.now;
    return ms <= m.clockLeftMs() && !m.advanceIsAmbiguous(ms) ? { ms, deadline } : null;
  }

  async run(m: Model, r: Real): Promise<void> {
    const { ms, deadline } = this.#landing(m)!;
    await new AdvanceClock(ms).run(m, r);
    const key = deadline.session.key;
    const probes: AsyncCommand<Model, Real>[] = [];
    for (const [index, client] of m.clients.entries()) {
      if (deadline.kind === 'grace-end') {
        if (client.refresh?.session === key) probes.push(new Refresh(index, 1));
        continue;
      }
      if (client.cookie === key && m.config.identity !== 'bearer') probes.push(new GetSession(index, 'cookie'));
      if (client.access?.session === key && m.config.identity !== 'cookie' && m.config.identity !== 'path')
        probes.push(new GetSession(index, 'bearer'));
    }
    for (const probe of probes) if (probe.check(m)) await probe.run(m, r);
  }

  toString(): string {
    return `ToDeadline(#${this.pick}${this.offsetMs === 0 ? '' : this.offsetMs > 0 ? ', +1ms' : ', -1ms'})`;
  }
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  return `${ms / 1000}s`;
}

/**
 * Stops every instance's clock at one instant, a little ahead of the first instance's time so that no other instance
 * is already past it: from then on the model's time is the server's to the millisecond.
 */
export async function freezeClocks(r: Real): Promise<void> {
  const read = await r.target.control(r.history, 'GET', '/__control/clock');
  expectControlStatus(read, [200], 'GET /__control/clock');
  const now = (read.body as { now?: unknown } | null)?.now;
  if (typeof now !== 'number') violation(`GET /__control/clock lacks "now": ${JSON.stringify(read.body)}`);
  const frozen = await r.target.control(r.history, 'POST', '/__control/clock', { freezeAt: now + 5_000 }, true);
  expectControlStatus(frozen, [200], 'POST /__control/clock (freeze)');
}

/**
 * Before a run that sweeps: moves every instance's clock past the longest any session can still live, then sweeps
 * while the target counts sessions awaiting and each sweep lessens them, so no session of an earlier run is live or
 * awaiting a sweep, even on a sweeper that leaves some behind on each pass. What a sweep counts then comes from this
 * run's own sessions, and a failure replays the same way without the runs before it. (A sweeper that removes nothing
 * gets two sweeps, not an endless loop; the run's own checks then find it out.)
 */
export async function outliveEarlierRuns(r: Real, { idleMs, guestIdleMs, absoluteMs }: Timeouts): Promise<void> {
  const advanceMs = Math.max(idleMs, guestIdleMs, absoluteMs) + 60_000;
  const moved = await r.target.control(r.history, 'POST', '/__control/clock', { advanceMs }, true);
  expectControlStatus(moved, [200], 'POST /__control/clock (past earlier runs)');
  for (let awaiting = Number.POSITIVE_INFINITY; ;) {
    const swept = await r.target.control(r.history, 'POST', '/__control/sweep');
    expectControlStatus(swept, [200], 'POST /__control/sweep (earlier runs)');
    const left = (await sessionCounts(r)).awaiting ?? 0;
    if (left === 0 || left >= awaiting) return;
    awaiting = left;
  }
}

/** Lets every instance's clock run again from where it stands. */
export async function thawClocks(target: Target): Promise<void> {
  const reply = await target.control(new History(), 'POST', '/__control/clock', { thaw: true }, true);
  expectControlStatus(reply, [200], 'POST /__control/clock (thaw)');
}

export interface SessionCounts {
  live: number;
  swept: number;
  /** Optional in what a target shows, like `awaiting`: the check that needs it is left out where it is missing. */
  ended: number | null;
  /** Sessions past their expiry that no sweep has removed yet (`expiredAwaitingSweep`). */
  awaiting: number | null;
}

/** Reads the server's session counts (`GET /sessions/stats`). */
export async function sessionCounts(r: Real): Promise<SessionCounts> {
  const reply = await r.target.control(r.history, 'GET', '/sessions/stats');
  expectControlStatus(reply, [200], 'GET /sessions/stats');
  const { live, swept, ended, expiredAwaitingSweep } = reply.body ?? {};
  if (typeof live !== 'number' || typeof swept !== 'number')
    violation(`GET /sessions/stats lacks "live" or "swept": ${JSON.stringify(reply.body)}`);
  return {
    live,
    swept,
    ended: typeof ended === 'number' ? ended : null,
    awaiting: typeof expiredAwaitingSweep === 'number' ? expiredAwaitingSweep : null,
  };
}

/**
 * `POST /__control/sweep`: every session that expired since the last sweep is removed, with its guest cart and
 * refresh family, and nothing live. The checks assume no other traffic on the target while the suites run. The run
 * began past every session of earlier runs (`outliveEarlierRuns`), and the checks are bounds on what this run's own
 * sessions surely did, so whatever the target holds besides them only ever adds:
 * - before it, the target counts at least the sessions of this run that expired as awaiting a sweep;
 * - the swept count grows by at least those sessions, and with exact time none is left awaiting after it;
 * - the sweep reports at least their carts that held lines and their refresh families as removed;
 * - the ended count has grown since the run started by at least the sessions the run ended while they were live;
 * - the live count does not grow across the sweep.
 * A failure then hangs on this run alone, and its replay fails the same way.
 * Whether live sessions survived, the commands after this one find out.
 */
export class Sweep implements AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const what = this.toString();
    const before = await sessionCounts(r);
    const reply = await r.target.control(r.history, 'POST', '/__control/sweep');
    expectControlStatus(reply, [200], what);
    const expired = m.sessions.filter((session) => !session.ended && !m.isLive(session));
    if (before.awaiting !== null && before.awaiting < expired.length)
      violation(
        `${what}: ${expired.length} sessions had expired, the target counted ${before.awaiting} awaiting a sweep`,
      );
    expectRemoved(m, r, reply.body, expired, what);
    const after = await sessionCounts(r);
    // with every clock stopped, nothing can expire between the sweep and the count after it
    if (m.config.exactTime && after.awaiting !== null && after.awaiting > 0)
      violation(`${what}: ${after.awaiting} expired sessions were still awaiting a sweep after it`);
    const baseline = r.sweptBaseline ?? violation('Sweep: no baseline swept count was read at the start of the run');
    if (after.swept - baseline < expired.length)
      violation(`${what}: ${expired.length} sessions had expired, the swept count grew by ${after.swept - baseline}`);
    expectEndedCounted(m, r, after, what);
    if (after.live > before.live)
      violation(`${what}: the live session count grew from ${before.live} to ${after.live} across the sweep`);
    r.sweptBaseline = after.swept;
    for (const session of expired) m.endSession(session);
  }

  toString(): string {
    return 'Sweep';
  }
}

/** The ended count has grown since the run started by at least the sessions the run ended while they were live. */
export function expectEndedCounted(m: Readonly<Model>, r: Real, counts: SessionCounts, what: string): void {
  if (counts.ended === null || r.endedBaseline === null) return;
  const grown = counts.ended - r.endedBaseline;
  if (grown < m.endedLive)
    violation(`${what}: the run ended ${m.endedLive} live sessions, the ended count grew by ${grown}`);
}

/**
 * What a sweep must report removed besides the sessions: a guest cart dies with its session, so every expired guest
 * session whose cart surely exists (it holds lines, or the target showed its id) takes its cart along; a refresh
 * family dies with its session too.
 */
function expectRemoved(m: Readonly<Model>, r: Real, body: unknown, expired: SessionState[], what: string): void {
  const removed = (body as { removed?: { carts?: unknown; refreshFamilies?: unknown } } | null)?.removed;
  const carts = removed?.carts;
  const families = removed?.refreshFamilies;
  if (typeof carts !== 'number' || typeof families !== 'number')
    violation(`${what}: the answer lacks "removed.carts" or "removed.refreshFamilies": ${JSON.stringify(body)}`);
  const withCart = expired.filter((session) => {
    const owner = m.ownerOf(session);
    return session.user === null && ((m.carts.get(owner)?.size ?? 0) > 0 || r.cartIds.has(owner));
  }).length;
  if (carts < withCart) violation(`${what}: ${withCart} expired guest sessions held a cart, ${carts} carts removed`);
  const withFamily = m.config.tokens ? expired.filter((session) => session.family !== null).length : 0;
  if (families < withFamily)
    violation(`${what}: ${withFamily} expired sessions had a refresh family, ${families} families removed`);
}

/** The request a `KeepAlive` keeps its session busy with: each of them must move the idle timer. */
export type KeepAliveRequest = 'session' | 'cart' | 'refresh';

/**
 * How long a `KeepAlive` goes on: until an absolute lifetime and an idle timeout have passed, or only until just past
 * the session's absolute expiry, while its last touch would still keep it alive for most of an idle timeout.
 */
export type KeepAliveStretch = 'past-idle' | 'past-absolute';

/**
 * The advance that lands closest past an instant without an ambiguous outcome: a millisecond past it with exact time,
 * a second past it where instances' clocks may disagree by that much. Null when both are ambiguous.
 */
function justPast(m: Readonly<Model>, instant: number): number | null {
  return [1, 1001].map((past) => instant + past - m.now).find((ms) => !m.advanceIsAmbiguous(ms)) ?? null;
}

/**
 * Keeps a session busy across a long stretch: advances the clock by a little less than the idle timeout, then uses
 * the session with one kind of request (a session read, a cart read, or a refresh with the latest token), again and
 * again, until past the absolute lifetime. Every such request moves the idle timer, so the session lives on until
 * the absolute timeout. Stops early at a step whose outcome would be ambiguous.
 */
export class KeepAlive implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly request: KeepAliveRequest = 'session',
    readonly stretch: KeepAliveStretch = 'past-idle',
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    const { idleMs, absoluteMs } = m.config.timeouts;
    // in real time, only where the whole stretch fits in what is left of the budget
    if (client === undefined || absoluteMs + idleMs > m.clockLeftMs()) return false;
    if (this.request !== 'refresh') return m.resolve(client, this.via).kind === 'session';
    const latest = client.refresh?.generations.at(-1);
    return latest !== undefined && refreshOutcome(m, client.refresh!.session, latest) === 'rotate';
  }

  async run(m: Model, r: Real): Promise<void> {
    const { idleMs, absoluteMs } = m.config.timeouts;
    // short of the earliest the session may expire: the touch window before its timeout, and the slack
    const step = idleMs - Math.max(4 * m.config.slackMs, (m.config.timeouts.touchWindowMs ?? 0) + 1);
    if (step <= 0) return;
    const use =
      this.request === 'refresh'
        ? new Refresh(this.client, 0)
        : this.request === 'cart'
          ? new GetCart(this.client, this.via)
          : new GetSession(this.client, this.via);
    const kept = m.resolve(m.clients[this.client]!, this.request === 'refresh' ? 'cookie' : this.via);
    const stopAt =
      this.stretch === 'past-absolute' && kept.kind === 'session' && kept.session.absoluteAt !== null
        ? kept.session.absoluteAt
        : Number.POSITIVE_INFINITY;
    for (let elapsed = 0; elapsed < absoluteMs + idleMs && m.now <= stopAt;) {
      const ms = m.now + step > stopAt ? (justPast(m, stopAt) ?? step) : step;
      if (m.advanceIsAmbiguous(ms)) break;
      await new AdvanceClock(ms).run(m, r);
      await use.run(m, r);
      elapsed += ms;
    }
  }

  toString(): string {
    const what = this.request === 'session' ? '' : `, ${this.request}`;
    const stretch = this.stretch === 'past-idle' ? '' : `, ${this.stretch}`;
    return `KeepAlive(c${this.client}${this.request === 'refresh' ? '' : viaLabel(this.via)}${what}${stretch})`;
  }
}

/**
 * Keeps a signed-in session busy until just past its absolute expiry, then sweeps at once: the session is over by
 * its absolute limit while its last touch would keep it alive for most of an idle timeout more, so a sweeper that
 * tracks only the idle timer leaves it behind.
 */
export class SweepPastAbsolute implements AsyncCommand<Model, Real> {
  readonly #keepAlive: KeepAlive;

  constructor(
    readonly client: number,
    readonly via: Via,
  ) {
    this.#keepAlive = new KeepAlive(client, via, 'session', 'past-absolute');
  }

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    if (client === undefined || !this.#keepAlive.check(m)) return false;
    const kept = m.resolve(client, this.via);
    return kept.kind === 'session' && kept.session.absoluteAt !== null;
  }

  async run(m: Model, r: Real): Promise<void> {
    await this.#keepAlive.run(m, r);
    await new Sweep().run(m, r);
  }

  toString(): string {
    return `SweepPastAbsolute(c${this.client}${viaLabel(this.via)})`;
  }
}
