import type { Semantics } from '../../adapters/semantics.ts';
import type { Cart, ListedSession, LoginResult, Order, Refusal, SessionView, Tokens } from '../../adapters/types.ts';
import { anyOf, type AnyOf, type SequentialModel } from '../../linearizability/model.ts';
import { mergedQuantity } from '../model.ts';
import { byCookie } from './identity.ts';
import { opLabel, outputLabel, type LinInput, type LinOutput, type ProgramOp } from './operations.ts';

/**
 * The sequential specification the `linearizable` family checks histories against: sessions, users, carts and
 * orders, judged by what the adapter declares (docs/adapters.md). It is small and immutable so that the checker can
 * memoise on `key`. It knows nothing of the server: the login fold is `mergedQuantity`, the model's own rule.
 */

export interface ClientState {
  /**
   * The session the process's handle names (its cookie, the session id in its paths, or its bearer token; the
   * session may have ended since), or null for none.
   */
  handle: number | null;
  /** The session whose CSRF token the process holds. */
  csrf: number | null;
  /**
   * The refresh tokens the process holds: generations `from` to `to` of one session's family (every rotation it saw,
   * from its login or from the copy a tab started with), or null for none.
   */
  refresh: { session: number; from: number; to: number } | null;
}

export interface SessionState {
  /** The signed-in account (its index), or null for a guest. */
  user: number | null;
  ended: boolean;
  /** The public id the server showed for it, once seen. */
  id: string | null;
  /** Its refresh-token family's generation: how many times it rotated. */
  generation: number;
  /** The refresh token of each generation, once an answer showed it (null until then); never changed in place. */
  tokens: (string | null)[];
}

/** Lines by SKU; an empty cart is absent. */
type Lines = Record<string, number>;

export interface LinState {
  clients: ClientState[];
  sessions: SessionState[];
  /** Carts by owner: `s<n>` a session's, `u<n>` a user's. */
  carts: Record<string, Lines>;
  /** The cart id each owner was first shown, so a second cart for one owner shows. */
  cartIds: Record<string, string>;
  /** Order ids seen, so an order answered twice shows. */
  orders: string[];
}

/**
 * Whether a replay of the previous refresh token falls within the declared grace window: always, when the whole
 * history took less than half of it (the reference model's margin); never, when there is none; else it may or not.
 */
export type GraceWindow = 'within' | 'past' | 'unknown';

/** The grace window a history that took `spanMs` from its first invoke to its check had. */
export function graceWindow(refreshGraceMs: number, spanMs: number): GraceWindow {
  if (refreshGraceMs <= 0) return 'past';
  return spanMs < refreshGraceMs / 2 ? 'within' : 'unknown';
}

/**
 * What the model needs of the run: the declared semantics, the accounts' login names, the number of processes, and
 * where the run's replays of a previous refresh token fell (the model has no clock).
 */
export interface ModelSetup {
  semantics: Semantics;
  emails: readonly string[];
  processes: number;
  grace?: GraceWindow;
}

/** Refusals of a request that names no session it may act for. */
const refusedIdentity: Refusal[] = ['unauthenticated', 'forbidden', 'csrf'];

/** How a refused refresh may read: an app need not tell reuse from an unknown token. */
const refusedRefresh: Refusal[] = ['unauthenticated', 'refresh-reused', 'refresh-invalid'];

/**
 * What an operation may do from a state: be refused in one of some ways (nothing changes, unless `afterRefusal`
 * says otherwise), or succeed; `next` says
 * the state after success with this answer (undefined: the answer never came, so the client learnt nothing), or
 * null when that answer is impossible.
 */
interface Expectation {
  refusals: Refusal[];
  ok: ((value: LinOutput['value'] | undefined) => LinState | null) | null;
  /** The state after a refusal, where refusing changes something (a reused refresh token ends its session). */
  afterRefusal?: LinState;
}

const refused = (...refusals: Refusal[]): Expectation => ({ refusals, ok: null });

function clone(state: LinState): LinState {
  return {
    clients: state.clients.map((client) => ({ ...client })),
    sessions: state.sessions.map((session) => ({ ...session })),
    carts: Object.fromEntries(Object.entries(state.carts).map(([owner, lines]) => [owner, { ...lines }])),
    cartIds: { ...state.cartIds },
    orders: [...state.orders],
  };
}

function sortedLines(lines: Lines | undefined): [string, number][] {
  return Object.entries(lines ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export class SessionModel implements SequentialModel<LinState, LinInput, LinOutput> {
  readonly #semantics: Semantics;
  readonly #emails: readonly string[];
  readonly #processes: number;
  readonly #grace: GraceWindow;
  /** Whether a first request gets a session by cookie; else only `openSession` or a login gives the client one. */
  readonly #byCookie: boolean;

  constructor(setup: ModelSetup) {
    this.#semantics = setup.semantics;
    this.#byCookie = byCookie(setup.semantics.identity);
    this.#emails = setup.emails;
    this.#processes = setup.processes;
    this.#grace = setup.grace ?? 'within';
  }

  init(): LinState {
    return {
      clients: Array.from({ length: this.#processes }, () => ({ handle: null, csrf: null, refresh: null })),
      sessions: [],
      carts: {},
      cartIds: {},
      orders: [],
    };
  }

  key(state: LinState): string {
    const clients = state.clients
      .map(
        (c) =>
          `${c.handle ?? '-'}/${c.csrf ?? '-'}/${c.refresh ? `${c.refresh.session}.${c.refresh.from}-${c.refresh.to}` : '-'}`,
      )
      .join(',');
    const sessions = state.sessions
      .map((s) => `${s.user ?? 'g'}${s.ended ? 'x' : ''}${s.id ?? ''}.${s.generation}.${s.tokens.join('.')}`)
      .join(',');
    const carts = Object.keys(state.carts)
      .sort()
      .map((owner) => `${owner}:${sortedLines(state.carts[owner]).join(';')}`)
      .join('|');
    const ids = sortedLines(state.cartIds as unknown as Lines).join(';');
    return `${clients}#${sessions}#${carts}#${ids}#${state.orders.length}`;
  }

  describeOperation(input: LinInput, output: LinOutput | undefined): string {
    return `${opLabel(input.op)} → ${outputLabel(input, output)}`;
  }

  describeState(state: LinState): string {
    const clients = state.clients.map((c, i) => `p${i}:${c.handle === null ? '-' : `s${c.handle}`}`).join(' ');
    const sessions = state.sessions
      .map((s, i) => `s${i}=${s.user === null ? 'guest' : `user${s.user}`}${s.ended ? '(ended)' : ''}`)
      .join(' ');
    const carts = Object.keys(state.carts)
      .sort()
      .map((owner) => `${owner}[${sortedLines(state.carts[owner]).map(([sku, q]) => `${sku}x${q}`)}]`)
      .join(' ');
    return `${clients} | ${sessions} | carts ${carts || 'none'}`;
  }

  step(state: LinState, input: LinInput, output: LinOutput | undefined): LinState | AnyOf<LinState> | null {
    if (input.op.kind === 'clone') {
      const next = clone(state);
      next.clients[input.client] = { ...(state.clients[input.op.from] as ClientState) };
      return next;
    }
    const expectation = this.#expect(state, input.client, input.op);
    const refusedState = expectation.afterRefusal ?? state;
    if (output === undefined) {
      // the answer never came: nothing happened, or it was refused, or it succeeded without the client learning of it
      const after = expectation.ok?.(undefined) ?? null;
      const possible = [state, ...(refusedState === state ? [] : [refusedState]), ...(after === null ? [] : [after])];
      return possible.length === 1 ? state : anyOf(...possible);
    }
    if (output.outcome !== 'ok') return expectation.refusals.includes(output.outcome) ? refusedState : null;
    return expectation.ok?.(output.value) ?? null;
  }

  /**
   * The session the client's requests act for: the live session its handle names, if any, or, with a stateless
   * access token, the session it was issued for whatever became of it.
   */
  #live(state: LinState, client: number): number | null {
    const handle = (state.clients[client] as ClientState).handle;
    if (handle === null) return null;
    return !(state.sessions[handle] as SessionState).ended || this.#logoutKeepsAccess() ? handle : null;
  }

  /** The client still holds the handle of a session that has ended. */
  #heldEnded(state: LinState, client: number): boolean {
    const handle = (state.clients[client] as ClientState).handle;
    return handle !== null && (state.sessions[handle] as SessionState).ended;
  }

  #owner(state: LinState, session: number): string {
    const { user } = state.sessions[session] as SessionState;
    return user === null || this.#semantics.cartScope === 'session' ? `s${session}` : `u${user}`;
  }

  /** A new session in `next`; the id the answer showed must be one no other session had. */
  #startSession(next: LinState, user: number | null, id: string | null): number | null {
    if (id !== null && next.sessions.some((session) => session.id === id)) return null;
    next.sessions.push({ user, ended: false, id, generation: 0, tokens: [] });
    return next.sessions.length - 1;
  }

  /** The answer's session view must be about `session`: its user, and its id once known. */
  #seeSession(next: LinState, session: number, view: SessionView | null): boolean {
    if (view === null) return true;
    const known = next.sessions[session] as SessionState;
    const email = known.user === null ? null : (this.#emails[known.user] ?? null);
    if (view.user !== email) return false;
    if (view.id === null) return true;
    if (known.id === null) {
      if (next.sessions.some((other) => other.id === view.id)) return false;
      known.id = view.id;
      return true;
    }
    return known.id === view.id;
  }

  /** The answer's cart must be `owner`'s: the same quantities, the one cart id, the right kind of owner. */
  #seeCart(next: LinState, session: number, cart: Cart): boolean {
    const owner = this.#owner(next, session);
    const shown: Lines = {};
    const lineCounts: Record<string, number> = {};
    for (const { sku, quantity } of cart.items) {
      lineCounts[sku] = (lineCounts[sku] ?? 0) + 1;
      shown[sku] = this.#semantics.add === 'line-per-add' ? (shown[sku] ?? 0) + quantity : quantity;
    }
    if (this.#semantics.add === 'increment' && Object.values(lineCounts).some((count) => count > 1)) return false;
    if (JSON.stringify(sortedLines(shown)) !== JSON.stringify(sortedLines(next.carts[owner]))) return false;
    const kind = (next.sessions[session] as SessionState).user === null ? 'guest' : 'user';
    if (cart.owner !== null && cart.owner !== kind) return false;
    if (cart.id !== null) {
      const known = next.cartIds[owner];
      if (known === undefined) {
        // another owner's cart id is another cart
        if (Object.values(next.cartIds).includes(cart.id)) return false;
        next.cartIds[owner] = cart.id;
      } else if (known !== cart.id) return false;
    }
    return true;
  }

  #setLine(next: LinState, owner: string, sku: string, quantity: number): void {
    const lines = { ...next.carts[owner] };
    if (quantity > 0) lines[sku] = Math.min(quantity, this.#semantics.maxLineQuantity);
    else delete lines[sku];
    if (Object.keys(lines).length === 0) delete next.carts[owner];
    else next.carts[owner] = lines;
  }

  /** Ends a session, with the cart that lives in it. */
  #end(next: LinState, session: number): void {
    const owner = this.#owner(next, session);
    (next.sessions[session] as SessionState).ended = true;
    if (owner.startsWith('s')) delete next.carts[owner];
  }

  /** Folds a guest cart into `target`'s by the declared login rule. */
  #fold(next: LinState, source: Lines | undefined, target: string): void {
    const { loginCart, maxLineQuantity } = this.#semantics;
    if (loginCart === 'drop' || source === undefined || Object.keys(source).length === 0) return;
    if (loginCart === 'adopt' || next.carts[target] === undefined) {
      next.carts[target] = { ...source };
      return;
    }
    const cart = { ...next.carts[target] };
    for (const [sku, quantity] of Object.entries(source))
      cart[sku] = mergedQuantity(loginCart, cart[sku], quantity, maxLineQuantity);
    next.carts[target] = cart;
  }

  /**
   * The session a request of `client` acts for: its live session, or a new guest one where such a request opens
   * one (with cookies only: a read always, a write where declared). `learn` is false when the answer never came, so
   * the new cookie did not reach the client.
   */
  #actingSession(next: LinState, client: number, opens: boolean, learn: boolean, id: string | null): number | null {
    const live = this.#live(next, client);
    if (live !== null || !opens || !this.#byCookie) return live;
    const session = this.#startSession(next, null, id);
    if (session !== null && learn) (next.clients[client] as ClientState).handle = session;
    return session;
  }

  #opensOnWrite(): boolean {
    const { guestCarts, writeWithoutSession } = this.#semantics;
    return this.#byCookie && guestCarts && writeWithoutSession === 'opens-session';
  }

  /**
   * Whether logout leaves the client's requests acting for it: a bearer access token that is a stateless JWT
   * outlives the login it came from, so logout only ends what a refresh would need.
   */
  #logoutKeepsAccess(): boolean {
    return this.#semantics.identity === 'bearer' && !this.#semantics.logoutEndsAccessTokens;
  }

  /** Whether an unsafe cookie request of `client` on `session` carries that session's CSRF token, where needed. */
  #holdsCsrf(state: LinState, client: number, session: number): boolean {
    return !this.#semantics.csrf || (state.clients[client] as ClientState).csrf === session;
  }

  #expect(state: LinState, client: number, op: ProgramOp): Expectation {
    const live = this.#live(state, client);
    // without cookies, a request that names no live session is refused: nothing opens one but openSession or login
    const unnamed = live === null && !this.#byCookie ? refusedIdentity : [];
    switch (op.kind) {
      case 'openSession':
        return {
          refusals: [],
          ok: (value) => {
            const next = clone(state);
            const view = (value ?? null) as SessionView | null;
            const session = this.#startSession(next, null, view?.id ?? null);
            if (session === null || !this.#seeSession(next, session, view)) return null;
            if (value !== undefined) {
              const holder = next.clients[client] as ClientState;
              holder.handle = session;
              holder.csrf = view?.csrfToken ? session : null;
            }
            return next;
          },
        };
      case 'whoami':
        return {
          refusals: unnamed,
          ok: (value) => {
            const next = clone(state);
            const view = (value ?? null) as SessionView | null;
            const session = this.#actingSession(next, client, true, value !== undefined, view?.id ?? null);
            if (session === null || !this.#seeSession(next, session, view)) return null;
            if (view?.csrfToken) (next.clients[client] as ClientState).csrf = session;
            return next;
          },
        };
      case 'getCart': {
        // where guests have no cart, a guest's read may be refused (the session it opens is then of no consequence)
        const guest = live === null || state.sessions[live]?.user === null;
        return {
          refusals: guest && !this.#semantics.guestCarts ? ['unauthenticated', 'forbidden'] : unnamed,
          ok: (value) => {
            const next = clone(state);
            const session = this.#actingSession(next, client, true, value !== undefined, null);
            if (session === null) return null;
            return value === undefined || this.#seeCart(next, session, value as Cart) ? next : null;
          },
        };
      }
      case 'addItem':
      case 'setQuantity':
      case 'removeItem': {
        if (live === null && !this.#opensOnWrite()) return refused(...refusedIdentity);
        if (live !== null && !this.#holdsCsrf(state, client, live)) return refused(...refusedIdentity);
        if (live !== null && state.sessions[live]?.user === null && !this.#semantics.guestCarts)
          return refused(...refusedIdentity);
        const owner = live === null ? null : this.#owner(state, live);
        const absent = owner === null || state.carts[owner]?.[op.sku] === undefined;
        return {
          // setting or removing a line the cart lacks may be refused as not found, changing nothing
          refusals: op.kind !== 'addItem' && absent ? ['not-found'] : [],
          ok: (value) => {
            const next = clone(state);
            const session = this.#actingSession(next, client, true, value !== undefined, null);
            if (session === null) return null;
            const target = this.#owner(next, session);
            const held = next.carts[target]?.[op.sku] ?? 0;
            const quantity = op.kind === 'addItem' ? held + op.quantity : op.kind === 'setQuantity' ? op.quantity : 0;
            this.#setLine(next, target, op.sku, quantity);
            return value === undefined || this.#seeCart(next, session, value as Cart) ? next : null;
          },
        };
      }
      case 'login': {
        // a session id in the path is signed in where it is; a bearer login is a new token, the old one lives on
        if (live === null && this.#semantics.identity === 'path') return refused(...refusedIdentity);
        if (live !== null && !this.#holdsCsrf(state, client, live)) return refused(...refusedIdentity);
        const previous = this.#semantics.identity === 'bearer' ? null : live;
        return { refusals: [], ok: (value) => this.#signIn(state, client, op.user, previous, value) };
      }
      case 'logout':
        // with no live session there is nothing to end: any answer is fine, and nothing changes
        if (live === null || state.sessions[live]?.ended)
          return { refusals: [...refusedIdentity, 'refresh-invalid'], ok: () => state };
        if (!this.#holdsCsrf(state, client, live)) return refused(...refusedIdentity);
        return { refusals: [], ok: () => this.#ending(state, (session) => session === live) };
      case 'logoutAll': {
        // an ended session, as for logout: two tabs signing out everywhere at once may both be told it is done,
        // and nothing more may change (a later read of the user's other sessions says whether it did)
        if (live === null && this.#heldEnded(state, client))
          return { refusals: [...refusedIdentity, 'refresh-invalid'], ok: () => state };
        if (live === null || !this.#holdsCsrf(state, client, live)) return refused(...refusedIdentity);
        const { user } = state.sessions[live] as SessionState;
        // a guest has no account to sign out everywhere: a refusal, or an answer that changes nothing
        if (user === null) return { refusals: ['unauthenticated', 'forbidden'], ok: () => state };
        return { refusals: [], ok: () => this.#ending(state, (_, known) => known.user === user) };
      }
      case 'listSessions': {
        if (live === null) return refused(...refusedIdentity);
        if (state.sessions[live]?.user === null) return refused('unauthenticated', 'forbidden');
        return { refusals: [], ok: (value) => this.#listed(state, live, value as ListedSession[] | undefined) };
      }
      case 'refresh':
        return this.#refresh(state, client, op.back);
      case 'checkout': {
        if (live === null || !this.#holdsCsrf(state, client, live)) return refused(...refusedIdentity);
        if (state.sessions[live]?.user === null) return refused('unauthenticated', 'forbidden');
        const owner = this.#owner(state, live);
        const cart = state.carts[owner];
        if (cart === undefined) return refused('cart-empty');
        return {
          refusals: [],
          ok: (value) => {
            const next = clone(state);
            delete next.carts[owner];
            if (value === undefined) return next;
            const order = value as Order;
            if (next.orders.includes(order.id)) return null;
            next.orders.push(order.id);
            const shown: Lines = {};
            for (const line of order.items) shown[line.sku] = (shown[line.sku] ?? 0) + line.quantity;
            return JSON.stringify(sortedLines(shown)) === JSON.stringify(sortedLines(cart)) ? next : null;
          },
        };
      }
    }
  }

  /**
   * Login, as declared: where login rotates, a new session replaces the client's (which ends), and a cart that lived
   * in the old session moves to the new owner by the login rule; where it does not, the client's session becomes the
   * user's and its guest cart folds into the user's.
   */
  #signIn(
    state: LinState,
    client: number,
    user: number,
    previous: number | null,
    value: LinOutput['value'] | undefined,
  ): LinState | null {
    const next = clone(state);
    const view = value === undefined ? null : (value as LoginResult).session;
    let session: number;
    if (previous !== null && !this.#semantics.rotatesOnLogin) {
      const owner = this.#owner(next, previous);
      const prior = next.sessions[previous] as SessionState;
      const guestCart = prior.user === null ? next.carts[owner] : undefined;
      if (prior.user === null) delete next.carts[owner];
      prior.user = user;
      // a sign-in starts a new refresh family on the session
      prior.generation = 0;
      prior.tokens = [];
      this.#fold(next, guestCart, this.#owner(next, previous));
      session = previous;
    } else {
      const started = this.#startSession(next, user, view?.id ?? null);
      if (started === null) return null;
      session = started;
      if (previous !== null) {
        const owner = this.#owner(next, previous);
        if (owner.startsWith('s')) {
          const source = next.carts[owner];
          delete next.carts[owner];
          this.#fold(next, source, this.#owner(next, session));
        }
        this.#end(next, previous);
      }
    }
    if (!this.#seeSession(next, session, view)) return null;
    if (value !== undefined) {
      const holder = next.clients[client] as ClientState;
      holder.handle = session;
      if (view?.csrfToken) holder.csrf = session;
      const token = (value as LoginResult).refreshToken;
      holder.refresh = token === null ? null : { session, from: 0, to: 0 };
      if (token !== null && !this.#seeToken(next, session, 0, token)) return null;
    }
    return next;
  }

  /** `next` with every session `ends` picks ended (with the carts that live in them). */
  #ending(state: LinState, ends: (session: number, known: SessionState) => boolean): LinState {
    const next = clone(state);
    for (const [session, known] of state.sessions.entries())
      if (!known.ended && ends(session, known)) this.#end(next, session);
    return next;
  }

  /**
   * The refresh token of `session`'s generation `generation` is `token`: the one shown before for it, or, the first
   * time, one no other generation or session ever had (a rotation that hands out an old token hands out a stolen one).
   */
  #seeToken(next: LinState, session: number, generation: number, token: string): boolean {
    const known = next.sessions[session] as SessionState;
    const shown = known.tokens[generation];
    if (shown !== undefined && shown !== null) return shown === token;
    if (next.sessions.some((other) => other.tokens.includes(token))) return false;
    const tokens = [...known.tokens];
    while (tokens.length < generation) tokens.push(null);
    tokens[generation] = token;
    known.tokens = tokens;
    return true;
  }

  /**
   * A refresh as declared (docs/semantics.md, "Refresh rotation"): the family's current token rotates it to a new
   * one; the previous token within the grace window gets the same successor again; any other earlier token is reuse,
   * refused, and ends that family's session and no other. A token of an ended session is refused.
   */
  #refresh(state: LinState, client: number, back: number): Expectation {
    const held = (state.clients[client] as ClientState).refresh;
    // with no token the request carries none, which may also read as a malformed body
    if (held === null) return refused(...refusedRefresh, 'invalid');
    const presented = Math.max(held.from, held.to - back);
    const family = state.sessions[held.session] as SessionState;
    if (family.ended) return refused(...refusedRefresh);
    const successor = (rotates: boolean) => (value: LinOutput['value'] | undefined) => {
      const next = clone(state);
      const known = next.sessions[held.session] as SessionState;
      if (rotates) known.generation++;
      if (value === undefined) return next;
      const token = (value as Tokens).refreshToken;
      if (token === null || !this.#seeToken(next, held.session, known.generation, token)) return null;
      const holder = next.clients[client] as ClientState;
      holder.refresh = { ...held, to: known.generation };
      // a bearer client's requests now carry the new access token, which names the same session
      if (this.#semantics.identity === 'bearer') holder.handle = held.session;
      return next;
    };
    if (presented === family.generation) return { refusals: [], ok: successor(true) };
    const grace = presented === family.generation - 1 ? this.#grace : 'past';
    if (grace === 'within') return { refusals: [], ok: successor(false) };
    const afterRefusal = this.#ending(state, (session) => session === held.session);
    return { refusals: refusedRefresh, ok: grace === 'unknown' ? successor(false) : null, afterRefusal };
  }

  /**
   * A session list shows only the user's live sessions, each once, and marks the caller's current where it shows it.
   * It need not show them all: a list is not atomic with a login that replaces a session, and the reference server
   * ends the old session before it stores the new one (koa-session's regenerate, saved as the request ends), so a list
   * racing a login may show neither. That every live session is listed is checked sequentially, by the `sessions`
   * commands. A session whose id no answer has shown yet may be any id no other session has; where that leaves one
   * choice, the model learns it.
   */
  #listed(state: LinState, callerIndex: number, listed: ListedSession[] | undefined): LinState | null {
    if (listed === undefined) return state;
    const next = clone(state);
    const caller = next.sessions[callerIndex] as SessionState;
    const ids = listed.map((session) => session.id);
    if (new Set(ids).size !== ids.length) return null;
    const live = next.sessions.filter((known) => known.user === caller.user && !known.ended);
    const knownIds = new Set(next.sessions.map((known) => known.id));
    const fresh = ids.filter((id) => !knownIds.has(id));
    if (ids.some((id) => knownIds.has(id) && !live.some((known) => known.id === id))) return null;
    if (fresh.length > live.filter((known) => known.id === null).length) return null;
    // a stateless token of an ended session is no session of the list; which one it marks is the app's affair
    if (!caller.ended) {
      for (const { id, current } of listed) {
        if (current && caller.id === null && fresh.includes(id)) caller.id = id;
        if (current !== (id === caller.id)) return null;
      }
    }
    const unseen = live.filter((known) => known.id === null);
    const unnamed = fresh.filter((id) => id !== caller.id);
    if (unseen.length === 1 && unnamed.length === 1) (unseen[0] as SessionState).id = unnamed[0] as string;
    return next;
  }
}
