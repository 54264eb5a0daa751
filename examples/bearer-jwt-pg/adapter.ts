import { defineAdapter } from '../../adapters/index.ts';
import type {
  CallContext,
  Cart,
  HttpRequest,
  HttpResponse,
  OperationName,
  Order,
  Outcome,
  Refusal,
  Tokens,
} from '../../adapters/index.ts';

/**
 * sessionproof's operations on the bearer-JWT API (README.md): no cookies, `Authorization: Bearer <access_token>`,
 * rotated refresh tokens in the body of /auth/*, carts and orders per user. Errors are `{"error": code}`.
 */

/** The app's error codes in the model's terms, for every operation but refresh (below); the rest goes by status. */
const refusals: Record<string, Refusal> = {
  invalid_request: 'invalid',
  invalid_email: 'invalid',
  invalid_password: 'invalid',
  email_taken: 'invalid',
  unknown_sku: 'invalid',
  quantity_limit: 'invalid',
  // a wrong password at /auth/token
  invalid_grant: 'unauthenticated',
  // a missing, malformed, badly signed or expired access token
  invalid_token: 'unauthenticated',
  cart_empty: 'cart-empty',
};

function refused<N extends OperationName>(response: HttpResponse): Outcome<N> {
  const code = (response.json as { error?: unknown } | undefined)?.error;
  const known = typeof code === 'string' ? refusals[code] : undefined;
  const byStatus: Refusal =
    response.status === 401 ? 'unauthenticated' : response.status === 503 ? 'unavailable' : 'error';
  return { ok: false, refusal: known ?? byStatus, ...(typeof code === 'string' ? { code } : {}) };
}

const ok = (response: HttpResponse) => response.status >= 200 && response.status < 300;

/** The access token goes with calls that identify by bearer; a call `via: 'none'` (or cookie) carries none. */
function call(context: CallContext<OperationName>, method: string, path: string, body?: unknown): HttpRequest {
  const headers: Record<string, string> = {};
  if (context.via === 'bearer' && context.state.accessToken !== null)
    headers.authorization = `Bearer ${context.state.accessToken}`;
  return { method, path, headers, ...(body === undefined ? {} : { body }) };
}

const line = (sku: string) => `/cart/lines/${encodeURIComponent(sku)}`;

/** The app shows no cart id; the cart is always the signed-in user's. */
function cart(body: any): Cart {
  if (!Array.isArray(body?.lines)) throw new Error(`not a cart: ${JSON.stringify(body)}`);
  return { id: null, owner: 'user', items: body.lines.map((l: any) => ({ sku: l?.sku, quantity: l?.quantity })) };
}

function order(body: any): Order {
  if (typeof body?.id !== 'string' || !Array.isArray(body?.lines))
    throw new Error(`not an order: ${JSON.stringify(body)}`);
  return { id: body.id, items: body.lines.map((l: any) => ({ sku: l?.sku, quantity: l?.quantity })) };
}

/** The token response, `{ access_token, token_type, expires_in, refresh_token }`, also kept in the user's state. */
function tokens(response: HttpResponse): Tokens {
  const body = response.json as { access_token?: unknown; refresh_token?: unknown } | undefined;
  if (typeof body?.access_token !== 'string' || typeof body.refresh_token !== 'string')
    throw new Error(`not a token response: ${response.text}`);
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}

const cartAnswer = <N extends 'getCart' | 'addItem' | 'setQuantity' | 'removeItem'>(
  response: HttpResponse,
): Outcome<N> => (ok(response) ? { ok: true, value: cart(response.json) } : refused(response));

const second = 1000;
const day = 24 * 3600 * second;
/** No such timeout in this app. */
const never = Number.MAX_SAFE_INTEGER;

export default defineAdapter({
  name: 'bearer-jwt-pg',
  semantics: {
    identity: 'bearer',
    // no cookies and no server-side sessions: nobody has a cart before signing in, and a write without a token is
    // 401 invalid_token
    guestCarts: false,
    writeWithoutSession: 'refused',
    // cart_lines are keyed by user id: every login of one user reaches the same cart
    cartScope: 'user',
    // there is no guest cart, so login leaves the user's cart as it is
    loginCart: 'keep-user',
    // POST /cart/lines adds to the one line of a SKU (INSERT ... ON CONFLICT DO UPDATE)
    add: 'increment',
    // access tokens are stateless JWTs: logout revokes the refresh-token family, the access token lives to its exp
    logoutEndsAccessTokens: false,
    // every /auth/token call starts a new refresh-token family: a new login, never the old one continued
    rotatesOnLogin: true,
    csrf: false,
    maxLineQuantity: 999,
    pastLineLimit: 'refused',
    maxAddQuantity: 99,
    // a malformed SKU fails the app's pattern (400 invalid_request), an unsold one its foreign key (422 unknown_sku)
    refusedSkus: [
      { sku: 'not a sku', outcome: 'invalid' },
      { sku: 'SKU-9999', outcome: 'invalid' },
    ],
    timeouts: {
      // ACCESS_TOKEN_TTL_SECONDS. The app has no clock control, so its test deployment runs with a short value:
      // ACCESS_TOKEN_TTL_SECONDS=60.
      accessTokenMs: 60 * second,
      // A login (a refresh family) ends when its latest refresh token, valid REFRESH_TOKEN_TTL_SECONDS from its
      // issue (14 days by default), goes unused: an idle timeout that only a refresh pushes back. No absolute one.
      idleMs: 14 * day,
      absoluteMs: never,
      // there are no guests
      guestIdleMs: never,
      // The app has no grace window at all: a refresh token presented a second time revokes the family at once, so
      // two tabs refreshing together sign the user out (its known bug). This is not declared as 0, which would tell
      // the model that a second tab's refresh may end the login. It is declared as what a correct app must honour
      // (docs/semantics.md, "Refresh rotation"): 10 s in which concurrent refreshes with one token, and the
      // previous token, get the same successor. The model then catches the bug instead of being told it is fine.
      refreshGraceMs: 10 * second,
    },
    skus: ['SKU-0001', 'SKU-0002', 'SKU-0003'],
  },
  operations: {
    register: {
      request: (c) => call(c, 'POST', '/auth/register', { email: c.args.email, password: c.args.password }),
      parse: (response, { args }) => (ok(response) ? { ok: true, value: args } : refused(response)),
    },
    // A login is a token pair, no session: there is no session view to show.
    login: {
      request: (c) => call(c, 'POST', '/auth/token', { email: c.args.email, password: c.args.password }),
      parse: (response) => {
        if (!ok(response)) return refused(response);
        const pair = tokens(response);
        return { ok: true, value: { session: null, ...pair }, state: pair };
      },
    },
    // The user's email as the app stores it (lower-cased); no session id to show.
    whoami: {
      request: (c) => call(c, 'GET', '/users/me'),
      parse: (response) => {
        if (!ok(response)) return refused(response);
        const email = (response.json as { email?: unknown }).email;
        if (typeof email !== 'string') throw new Error(`no email in the /users/me answer: ${response.text}`);
        return { ok: true, value: { id: null, user: email, csrfToken: null } };
      },
    },
    // Logout names the login by its refresh token; the access token is not needed and stays valid until exp.
    logout: {
      request: (c) => call(c, 'POST', '/auth/logout', { refresh_token: c.state.refreshToken ?? '' }),
      parse: (response) => (ok(response) ? { ok: true, value: null } : refused(response)),
    },
    logoutAll: {
      request: (c) => call(c, 'POST', '/auth/logout-all'),
      parse: (response) => (ok(response) ? { ok: true, value: null } : refused(response)),
    },
    // The app answers 401 invalid_grant to every refresh token it will not rotate: unknown, expired, revoked, or
    // used before (which also revokes its family). It does not say which, and the adapter does not guess from what
    // it sent before: a refused refresh is 'refresh-invalid' with the app's code, as the app answers it.
    refresh: {
      request: (c) => call(c, 'POST', '/auth/refresh', { refresh_token: c.args.refreshToken }),
      parse: (response) => {
        if (ok(response)) {
          const pair = tokens(response);
          return { ok: true, value: pair, state: pair };
        }
        const code = (response.json as { error?: unknown } | undefined)?.error;
        if (response.status === 401 && code === 'invalid_grant') return { ok: false, refusal: 'refresh-invalid', code };
        return refused(response);
      },
    },
    getCart: { request: (c) => call(c, 'GET', '/cart'), parse: cartAnswer },
    addItem: {
      request: (c) => call(c, 'POST', '/cart/lines', { sku: c.args.sku, quantity: c.args.quantity }),
      parse: cartAnswer,
    },
    // PUT sets the line, creating it; 0 removes it
    setQuantity: {
      request: (c) => call(c, 'PUT', line(c.args.sku), { quantity: c.args.quantity }),
      parse: cartAnswer,
    },
    removeItem: { request: (c) => call(c, 'DELETE', line(c.args.sku)), parse: cartAnswer },
    // POST /orders takes the whole cart; the app knows no idempotency key and no note, so neither is sent
    checkout: {
      request: (c) => call(c, 'POST', '/orders'),
      parse: (response) => (ok(response) ? { ok: true, value: order(response.json) } : refused(response)),
    },
    listOrders: {
      request: (c) => call(c, 'GET', '/orders'),
      parse: (response) => {
        if (!ok(response)) return refused(response);
        const orders = (response.json as { orders?: unknown }).orders;
        if (!Array.isArray(orders)) throw new Error(`not a list of orders: ${response.text}`);
        return { ok: true, value: orders.map(order) };
      },
    },
  },
});
