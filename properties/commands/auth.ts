import type { AsyncCommand } from 'fast-check';
import { perform } from '../../adapters/engine.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import type { Model } from '../model.ts';
import { NewClient } from './clients.ts';
import { GetSession } from './session.ts';
import {
  act,
  expectCart,
  expectOk,
  expectOutcome,
  expectSessionView,
  primaryVia,
  viaLabel,
  violation,
  type Expected,
  type Real,
  type Via,
} from './shared.ts';

/**
 * Login through the client's session (or none): the session the declared semantics give (a new one where login
 * rotates, else the client's own, now signed in), the guest cart folded in by the declared rule, tokens where the
 * target hands them out. The cart is read back at once, through the way the target's clients name themselves.
 */
export class Login implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly user: number,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    if (client === undefined || this.user >= m.userCount) return false;
    const session = m.cookieSession(client);
    // where the session is named in the path, login is an operation on a session the client holds
    if (m.config.identity === 'path' && session === null) return false;
    return session === null || m.holdsCsrf(client);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const login = expectOk(await act(r, this.client, 'login', r.accounts[this.user]!), what);
    const session = m.signIn(state, this.user);
    const { accessToken, refreshToken } = login;
    if (m.config.tokens && (accessToken === null || refreshToken === null))
      violation(`${what}: no access or refresh token in the answer`);
    if (login.session !== null) expectSessionView(m, r, login.session, session, what);
    if (m.config.identity !== 'bearer') {
      state.cookie = session.key;
      state.csrfOf = session.key;
    }
    if (accessToken !== null)
      state.access = { session: session.key, expiresAt: m.now + m.config.timeouts.accessTokenMs };
    if (refreshToken !== null) {
      state.refresh = { session: session.key, generations: [0] };
      r.refreshTokens.set(session.key, [refreshToken]);
      r.rotatedAtWall.set(session.key, Date.now());
    }
    // the cart, read at once through the new credentials: both the fold and the new credentials must hold
    const then = `${what}, then GetCart`;
    const cart = expectOk(await act(r, this.client, 'getCart', {}, { via: primaryVia(m) }), then);
    expectCart(m, r, cart, m.ownerOf(session), then);
    m.touch(session, true);
  }

  toString(): string {
    return `Login(c${this.client}, user${this.user})`;
  }
}

/** How a login with credentials the target must not accept may be refused. */
const refusedCredentials: Expected[] = ['unauthenticated', 'invalid'];

/**
 * Login with credentials that are wrong: an existing account's name with another password, or a name no account
 * has. It is refused and changes nothing: the client's session, if any, is still the one it held, as a read through
 * the way the target's clients name themselves shows.
 */
export class RefusedLogin implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly user: number,
    readonly mistake: 'password' | 'account',
  ) {}

  check(m: Readonly<Model>): boolean {
    return new Login(this.client, this.user).check(m);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const { email, password } = r.accounts[this.user]!;
    const credentials =
      this.mistake === 'password' ? { email, password: `${password}-wrong` } : { email: `nobody-${email}`, password };
    const result = await act(r, this.client, 'login', credentials);
    expectOutcome(result, refusedCredentials, this.toString());
    const session = m.cookieSession(state);
    if (session !== null) m.touch(session, false);
    await new GetSession(this.client, primaryVia(m)).run(m, r);
  }

  toString(): string {
    return `RefusedLogin(c${this.client}, ${this.mistake === 'password' ? `user${this.user}, wrong password` : 'unknown account'})`;
  }
}

/**
 * Someone registers an email that already has an account, with a password of their own, from a device of their own.
 * Whether the app refuses it or answers as if it had sent a mail, the account stays as it was: its own password still
 * signs in and the newcomer's does not. Every probe session is logged out at once, so the user's sessions stay the
 * model's.
 */
export class RegisterTaken implements AsyncCommand<Model, Real> {
  constructor(readonly user: number) {}

  check(m: Readonly<Model>): boolean {
    return this.user < m.userCount;
  }

  async run(m: Model, r: Real): Promise<void> {
    const { email, password } = r.accounts[this.user]!;
    const other = `${password}-other`;
    const fromNewDevice = async (credentials: { email: string; password: string }, operation: 'register' | 'login') => {
      const probe = new VirtualUser(`probe:${operation}`, r.route, r.history, r.adapter.headers);
      // where the session is named in the path, a login needs one opened first
      if (m.config.identity === 'path' && operation === 'login') await perform(probe, r.adapter, 'openSession', {});
      const result = await perform(probe, r.adapter, operation, credentials);
      if (result.outcome === 'ok' && r.adapter.operations.logout) await perform(probe, r.adapter, 'logout', {});
      return result;
    };
    await fromNewDevice({ email, password: other }, 'register');
    if ((await fromNewDevice({ email, password: other }, 'login')).outcome === 'ok')
      violation(`${this.toString()}: the second registration's password signs in to the existing account`);
    const own = await fromNewDevice({ email, password }, 'login');
    if (own.outcome !== 'ok')
      violation(`${this.toString()}: the account's own password no longer signs in (${own.outcome})`);
  }

  toString(): string {
    return `RegisterTaken(user${this.user})`;
  }
}

/** Another device signs in as `user`: a new client with an empty jar, then Login, so one user holds many sessions. */
export class SignInElsewhere implements AsyncCommand<Model, Real> {
  constructor(readonly user: number) {}

  check(m: Readonly<Model>): boolean {
    return m.clients.length < 8 && this.user < m.userCount;
  }

  async run(m: Model, r: Real): Promise<void> {
    await new NewClient().run(m, r);
    await new Login(m.clients.length - 1, this.user).run(m, r);
  }

  toString(): string {
    return `SignInElsewhere(user${this.user})`;
  }
}

/** A sign-out can be sent by bearer when the client holds a token, by cookie when it holds the CSRF token (if any). */
function canSignOut(m: Readonly<Model>, clientIndex: number, via: Via): boolean {
  const client = m.clients[clientIndex];
  if (!client) return false;
  return via === 'bearer' ? client.access !== null : m.cookieSession(client) === null || m.holdsCsrf(client);
}

/** Logout: ends the session the request names, with its refresh family. */
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
    // logging out without a session, or with a stateless token whose session already ended, has nothing to end:
    // either answer is fine, and nothing may change
    if (resolution.kind === 'anonymous' || !m.isLive(resolution.session))
      return void expectOutcome(result, ['ok', 'unauthenticated', 'refresh-invalid'], what);
    expectOutcome(result, ['ok'], what);
    m.endSession(resolution.session);
  }

  toString(): string {
    return `Logout(c${this.client}${viaLabel(this.via)})`;
  }
}

/** Logout everywhere: ends every session of the signed-in user, and no one else's. */
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
      // a guest has no account to sign out everywhere: a refusal, or an answer that changes nothing
      expectOutcome(result, ['unauthenticated', 'forbidden', 'ok'], what);
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
