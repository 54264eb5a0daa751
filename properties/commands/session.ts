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
    const session = sessionFor(m, state, this.via);
    if (session === 'rejected') return void expectOutcome(result, ['unauthenticated'], what);
    expectSessionView(m, r, expectOk(result, what), session, what);
    m.touch(session, true);
    if (this.via === 'cookie') state.csrfOf = session.key;
  }

  toString(): string {
    return `GetSession(c${this.client}${viaLabel(this.via)})`;
  }
}
