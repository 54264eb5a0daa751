import type { AsyncCommand } from 'fast-check';
import type { Model } from '../model.ts';
import {
  act,
  expectOk,
  expectOutcome,
  expectSessionView,
  sessionFor,
  viaLabel,
  type Real,
  type Via,
} from './shared.ts';

/** `GET /session`: the same session while the cookie lives; a new guest session (new id) once it does not. */
export class GetSession implements AsyncCommand<Model, Real> {
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
    const result = await act(r, this.client, 'whoami', {}, { via: this.via });
    const session = sessionFor(m, state, this.via, 'read');
    if (session === 'rejected') return void expectOutcome(result, ['unauthenticated'], what);
    expectSessionView(m, r, expectOk(result, what), session, what);
    m.touch(session, true);
    if (this.via === 'cookie') state.csrfOf = session.key;
  }

  toString(): string {
    return `GetSession(c${this.client}${viaLabel(this.via)})`;
  }
}

/**
 * Opens a new guest session explicitly, as first contact does where the session is a resource of its own (an id in
 * the path): the client now holds it, and its CSRF token.
 */
export class OpenSession implements AsyncCommand<Model, Real> {
  constructor(readonly client: number) {}

  check(m: Readonly<Model>): boolean {
    return m.clients[this.client] !== undefined;
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const view = expectOk(await act(r, this.client, 'openSession', {}), what);
    const session = m.startSession(null);
    expectSessionView(m, r, view, session, what);
    state.cookie = session.key;
    state.csrfOf = session.key;
  }

  toString(): string {
    return `OpenSession(c${this.client})`;
  }
}
