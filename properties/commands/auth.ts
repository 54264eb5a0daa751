import type { AsyncCommand } from 'fast-check';
import type { Model } from '../model.ts';
import {
  clientPair,
  expectCart,
  expectSessionView,
  expectStatus,
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
    const [state, client] = clientPair(m, r, this.client);
    const what = this.toString();
    const reply = await client.request('POST', '/auth/login', { body: r.accounts[this.user] });
    expectStatus(reply, [200], what);
    const previous = m.cookieSession(state);
    if (previous) {
      if (previous.user === null) m.merge(previous, this.user);
      m.endSession(previous);
    }
    const session = m.startSession(this.user);
    const { accessToken, refreshToken } = reply.body ?? {};
    if (typeof accessToken !== 'string' || typeof refreshToken !== 'string')
      violation(`${what}: no access or refresh token in ${JSON.stringify(reply.body)}`);
    expectSessionView(m, r, reply.body.session, session, what);
    state.cookie = session.key;
    state.csrfOf = session.key;
    state.access = { session: session.key, expiresAt: m.now + m.config.timeouts.accessTokenMs };
    state.refresh = { session: session.key, generations: [0] };
    client.csrfToken = reply.body.session.csrfToken;
    client.accessToken = accessToken;
    client.refreshTokens = [refreshToken];
    r.refreshTokens.set(session.key, [refreshToken]);
    r.rotatedAtWall.set(session.key, Date.now());
    // the merged cart, read through the new cookie at once: both the merge and the new cookie must hold
    const cart = await client.request('GET', '/cart');
    expectStatus(cart, [200], `${what}, then GET /cart`);
    expectCart(m, r, cart.body, `user:${this.user}`, `${what}, then GET /cart`);
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
    const [state, client] = clientPair(m, r, this.client);
    const what = this.toString();
    const reply = await client.request('POST', '/auth/logout', { via: this.via });
    const resolution = m.resolve(state, this.via);
    if (resolution.kind === 'rejected') return expectStatus(reply, [401], what);
    // logging out without a session has nothing to end: either answer is fine, and nothing may change
    if (resolution.kind === 'anonymous') return expectStatus(reply, [204, 401], what);
    expectStatus(reply, [204], what);
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
    const [state, client] = clientPair(m, r, this.client);
    const what = this.toString();
    const reply = await client.request('POST', '/auth/logout-all', { via: this.via });
    const resolution = m.resolve(state, this.via);
    if (resolution.kind !== 'session') return expectStatus(reply, [401, 403], what);
    const { user } = resolution.session;
    if (user === null) {
      expectStatus(reply, [401, 403], what);
      return m.touch(resolution.session, false);
    }
    expectStatus(reply, [204], what);
    // expired sessions of the user count as ended too: a server may remove them now or at the next sweep
    for (const session of m.sessions) if (session.user === user && !session.ended) m.endSession(session);
  }

  toString(): string {
    return `LogoutAll(c${this.client}${viaLabel(this.via)})`;
  }
}
