import fc, { type AsyncCommand } from 'fast-check';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import type { SessionView } from '../../adapters/types.ts';
import type { Model } from '../model.ts';
import { act, expectOk, expectSessionView, violation, type Real } from './shared.ts';

/**
 * A new client presents `cookies` and asks who it is: since none of them names a session the server issued to it, it
 * must get a new guest session of its own, which the model then follows.
 */
async function asNewGuest(m: Model, r: Real, cookies: [string, string][], command: string): Promise<SessionView> {
  const state = m.addClient({ cookie: null, csrfOf: null, access: null, refresh: null });
  const client = new VirtualUser(state.name, r.route, r.history, r.adapter.headers);
  for (const [name, value] of cookies) client.cookies.set(name, value);
  r.clients.push(client);
  const what = `${command} as ${state.name}`;
  const view = expectOk(await act(r, m.clients.length - 1, 'whoami', {}), what);
  const session = m.startSession(null);
  state.cookie = session.key;
  state.csrfOf = session.key;
  expectSessionView(m, r, view, session, what);
  return view;
}

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
      const view = await asNewGuest(
        m,
        r,
        [...names].map((name) => [name, this.value]),
        this.toString(),
      );
      if (view.id !== null) ids.push(view.id);
    }
    if (ids.length === 2 && ids[0] === ids[1])
      violation(`${this.toString()}: two clients with the same made-up cookie share session ${ids[0]}`);
  }

  toString(): string {
    return `ForgedCookie(${this.value})`;
  }
}

/**
 * Where the app declares its session cookie signed (`signedSessionCookie`): a client's session cookie must have come
 * with its `.sig` cookie, and a new client that presents the session cookie without it holds no cookie, so it gets a
 * new session of its own, not the one the cookie names.
 */
export class UnsignedCookie implements AsyncCommand<Model, Real> {
  constructor(readonly client: number) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    return (
      m.config.signedSessionCookie !== undefined &&
      m.clients.length <= 6 &&
      client !== undefined &&
      m.cookieSession(client) !== null
    );
  }

  async run(m: Model, r: Real): Promise<void> {
    const name = m.config.signedSessionCookie!;
    const source = r.clients[this.client]!;
    const value = source.cookies.get(name);
    const session = m.cookieSession(m.clients[this.client]!)!;
    // the model's session is the target's only once the target showed its id
    fc.pre(value !== undefined && r.sessionIds.has(session.key));
    if (!source.cookies.has(`${name}.sig`))
      violation(`${this.toString()}: the session cookie ${name} came without its signature cookie ${name}.sig`);
    await asNewGuest(m, r, [[name, value]], this.toString());
  }

  toString(): string {
    return `UnsignedCookie(c${this.client})`;
  }
}
