import fc, { type AsyncCommand } from 'fast-check';
import { ContractClient } from '../client.ts';
import type { Model } from '../model.ts';
import { expectSessionView, expectStatus, violation, type Real } from './shared.ts';

/**
 * Strict mode: two new clients present the same made-up cookie values (under the cookie names the server uses).
 * Each must get a new session of its own; a server that adopted the made-up value would hand both the same one.
 */
export class ForgedCookie implements AsyncCommand<Model, Real> {
  constructor(readonly value: string) {}

  check(m: Readonly<Model>): boolean {
    return m.clients.length <= 6 && m.clients.some((client) => client.cookie !== null);
  }

  async run(m: Model, r: Real): Promise<void> {
    const names = new Set(r.clients.flatMap((client) => [...client.cookies.keys()]));
    // the model's clients may all have dropped their cookies since (logout clears the jar)
    fc.pre(names.size > 0);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const state = m.addClient({ cookie: null, csrfOf: null, access: null, refresh: null });
      const client = new ContractClient(state.name, r.route, r.history);
      for (const name of names) client.cookies.set(name, this.value);
      r.clients.push(client);
      const what = `${this.toString()} as ${state.name}`;
      const reply = await client.request('GET', '/session');
      expectStatus(reply, [200], what);
      const session = m.startSession(null);
      state.cookie = session.key;
      state.csrfOf = session.key;
      client.csrfToken = reply.body?.csrfToken ?? null;
      expectSessionView(m, r, reply.body, session, what);
      ids.push(reply.body.id);
    }
    if (ids[0] === ids[1])
      violation(`${this.toString()}: two clients with the same made-up cookie share session ${ids[0]}`);
  }

  toString(): string {
    return `ForgedCookie(${this.value})`;
  }
}
