import fc, { type AsyncCommand } from 'fast-check';
import type { Model, Resolution } from '../model.ts';
import { act, expectOk, expectOutcome, viaLabel, violation, type Real, type Via } from './shared.ts';

/** `GET /sessions`: exactly the user's live sessions, the current one marked; never a dead one. */
export class ListSessions implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    return client !== undefined && (this.via === 'cookie' || client.access !== null);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const result = await act(r, this.client, 'listSessions', {}, { via: this.via });
    const resolution = m.resolve(state, this.via);
    if (resolution.kind !== 'session' || resolution.session.user === null) {
      refusedGuest(m, resolution);
      return void expectOutcome(result, ['unauthenticated'], what);
    }
    const listed = expectOk(result, what);
    const current = resolution.session;
    m.touch(current, true);
    const known = m.liveSessionsOf(current.user!).map((session) => r.sessionIds.get(session.key));
    // a session whose id the target never showed cannot be looked for in the list
    fc.pre(known.every((id) => id !== undefined));
    const expected = known as string[];
    const ids = listed.map((session) => session.id);
    const missing = expected.filter((id) => !ids.includes(id));
    const extra = ids.filter((id) => !expected.includes(id));
    if (missing.length > 0 || extra.length > 0 || ids.length !== expected.length) {
      violation(
        `${what}: expected sessions ${JSON.stringify(expected)}, got ${JSON.stringify(ids)} (dead or foreign: ${JSON.stringify(extra)}, missing: ${JSON.stringify(missing)})`,
      );
    }
    const marked = listed.filter((session) => session.current).map((session) => session.id);
    const currentId = r.sessionIds.get(current.key);
    if (marked.length !== 1 || marked[0] !== currentId)
      violation(`${what}: expected ${currentId} marked current, got ${JSON.stringify(marked)}`);
  }

  toString(): string {
    return `ListSessions(c${this.client}${viaLabel(this.via)})`;
  }
}

/** A guest refused a signed-in route still used its session: the app may have moved its idle timer, or not. */
function refusedGuest(m: Model, resolution: Resolution): void {
  if (resolution.kind === 'session') m.touch(resolution.session, false);
}

/**
 * `DELETE /sessions/:id` for one of the signed-in sessions the run has made (of any user, live or not): 204 and the
 * session ended when it is the caller's own user's live session, 404 and nothing changed otherwise.
 */
export class DeleteSession implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly pick: number,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    if (!client || !m.sessions.some((session) => session.user !== null)) return false;
    return this.via === 'bearer' ? client.access !== null : m.cookieSession(client) === null || m.holdsCsrf(client);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const signedIn = m.sessions.filter((session) => session.user !== null);
    const target = signedIn[this.pick % signedIn.length]!;
    const what = `${this.toString()} -> session ${target.key}`;
    const id = r.sessionIds.get(target.key);
    fc.pre(id !== undefined);
    const result = await act(r, this.client, 'endSession', { id }, { via: this.via });
    const resolution = m.resolve(state, this.via);
    if (resolution.kind !== 'session' || resolution.session.user === null) {
      refusedGuest(m, resolution);
      return void expectOutcome(result, ['unauthenticated', 'forbidden'], what);
    }
    const caller = resolution.session;
    if (target.user !== caller.user || !m.isLive(target)) {
      expectOutcome(result, ['not-found'], what);
      return m.touch(caller, false);
    }
    expectOutcome(result, ['ok'], what);
    if (target !== caller) m.touch(caller, true);
    m.endSession(target);
  }

  toString(): string {
    return `DeleteSession(c${this.client}${viaLabel(this.via)}, #${this.pick})`;
  }
}
