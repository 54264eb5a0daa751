import type { AsyncCommand } from 'fast-check';
import { perform } from '../../adapters/engine.ts';
import type { Model } from '../model.ts';
import { act, expectOutcome, violation, type Real } from './shared.ts';

/** How long the other request has been in flight when the logout is sent, so that it has read the session by then. */
const headStartMs = 3;

/**
 * Logout while another request of the same signed-in session is still being answered (a slow cart read in another
 * tab). Once both have answered the session is over for good: the cookie, replayed by a copy taken before, names no
 * signed-in session. A server that writes every session back at the end of each request brings the ended one back.
 */
export class LogoutDuringRequest implements AsyncCommand<Model, Real> {
  constructor(readonly client: number) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    const session = client && m.cookieSession(client);
    return !!session && session.user !== null && m.holdsCsrf(client);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const session = m.cookieSession(state)!;
    const copy = r.clients[this.client]!.clone(`${state.name}-before-logout`);
    const read = act(r, this.client, 'getCart', {});
    await new Promise((resolve) => setTimeout(resolve, headStartMs));
    const logout = await act(r, this.client, 'logout', {});
    // the read may have been answered before the logout or after it, as the session or as a new guest
    expectOutcome(await read, ['ok', 'unauthenticated'], `${what}: GetCart`);
    expectOutcome(logout, ['ok'], `${what}: Logout`);
    m.endSession(session);
    const then = `${what}, then GetSession with the cookie from before`;
    const again = await perform(copy, r.adapter, 'whoami', {});
    const email = r.accounts[session.user!]!.email;
    if (again.outcome === 'ok' && again.value!.user === email)
      violation(`${then}: the ended session is signed in as ${email} again`, 'invalidation');
    expectOutcome(again, ['ok', 'unauthenticated'], then);
  }

  toString(): string {
    return `LogoutDuringRequest(c${this.client})`;
  }
}
