import type { AsyncCommand } from 'fast-check';
import type { Model } from '../model.ts';
import {
  act,
  expectCart,
  expectOk,
  expectOutcome,
  expectSessionView,
  viaLabel,
  violation,
  type Real,
  type Via,
} from './shared.ts';

/**
 * `POST /auth/login` through the cookie: a new session (new secret, new id), the previous cookie session ended, a
 * guest cart merged into the user's cart, and a fresh access + refresh token pair. The cart is read back at once.
 */
export class Login implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly user: number,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    return client !== undefined && this.user < m.userCount && (m.cookieSession(client) === null || m.holdsCsrf(client));
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const login = expectOk(await act(r, this.client, 'login', r.accounts[this.user]!), what);
    const previous = m.cookieSession(state);
    if (previous) {
      if (previous.user === null) m.merge(previous, this.user);
      m.endSession(previous);
    }
    const session = m.startSession(this.user);
    const { accessToken, refreshToken } = login;
    if (accessToken === null || refreshToken === null) violation(`${what}: no access or refresh token in the answer`);
    if (login.session === null) violation(`${what}: no session in the answer`);
    expectSessionView(m, r, login.session, session, what);
    state.cookie = session.key;
    state.csrfOf = session.key;
    state.access = { session: session.key, expiresAt: m.now + m.config.timeouts.accessTokenMs };
    state.refresh = { session: session.key, generations: [0] };
    r.refreshTokens.set(session.key, [refreshToken]);
    r.rotatedAtWall.set(session.key, Date.now());
    // the merged cart, read through the new cookie at once: both the merge and the new cookie must hold
    const then = `${what}, then GetCart`;
    expectCart(m, r, expectOk(await act(r, this.client, 'getCart', {}), then), `user:${this.user}`, then);
    m.touch(session, true);
  }

  toString(): string {
    return `Login(c${this.client}, user${this.user})`;
  }
}

/** A sign-out can be sent by bearer when the client holds a token, by cookie when it holds the CSRF token (if any). */
function canSignOut(m: Readonly<Model>, clientIndex: number, via: Via): boolean {
  const client = m.clients[clientIndex];
  if (!client) return false;
  return via === 'bearer' ? client.access !== null : m.cookieSession(client) === null || m.holdsCsrf(client);
}

/** `POST /auth/logout`: ends the session the request names, with its refresh family. */
export class Logout implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
  ) {}

  check(m: Readonly<Model>): boolean {
    return canSignOut(m, this.client, this.via);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const result = await act(r, this.client, 'logout', {}, { via: this.via });
    const resolution = m.resolve(state, this.via);
    if (resolution.kind === 'rejected') return void expectOutcome(result, ['unauthenticated'], what);
    // logging out without a session has nothing to end: either answer is fine, and nothing may change
    if (resolution.kind === 'anonymous') return void expectOutcome(result, ['ok', 'unauthenticated'], what);
    expectOutcome(result, ['ok'], what);
    m.endSession(resolution.session);
  }

  toString(): string {
    return `Logout(c${this.client}${viaLabel(this.via)})`;
  }
}

/** `POST /auth/logout-all`: ends every session of the signed-in user, and no one else's. */
export class LogoutAll implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
  ) {}

  check(m: Readonly<Model>): boolean {
    return canSignOut(m, this.client, this.via);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const result = await act(r, this.client, 'logoutAll', {}, { via: this.via });
    const resolution = m.resolve(state, this.via);
    if (resolution.kind !== 'session') return void expectOutcome(result, ['unauthenticated', 'forbidden'], what);
    const { user } = resolution.session;
    if (user === null) {
      expectOutcome(result, ['unauthenticated', 'forbidden'], what);
      return m.touch(resolution.session, false);
    }
    expectOutcome(result, ['ok'], what);
    // expired sessions of the user count as ended too: a server may remove them now or at the next sweep
    for (const session of m.sessions) if (session.user === user && !session.ended) m.endSession(session);
  }

  toString(): string {
    return `LogoutAll(c${this.client}${viaLabel(this.via)})`;
  }
}
