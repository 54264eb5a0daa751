import { defineAdapter, referenceSemantics } from '../../adapters/index.ts';
import type { Cart, HttpRequest, HttpResponse, Order, Outcome, OperationName, Refusal } from '../../adapters/index.ts';

/**
 * sessionproof's operations on the session-in-path ordering API: the session id and its CSRF token travel in the
 * path and a header, not in a cookie. Errors are `{"error": "CODE"}`.
 */

const refusals: Record<string, Refusal> = {
  SESSION_NOT_FOUND: 'unauthenticated',
  LOGIN_REQUIRED: 'unauthenticated',
  INVALID_CREDENTIALS: 'unauthenticated',
  CSRF_TOKEN_INVALID: 'csrf',
  CART_EMPTY: 'cart-empty',
  // PATCH changes only a line the cart has; a set of any other is refused, which the model allows
  ITEM_NOT_FOUND: 'not-found',
};

function refused<N extends OperationName>(response: HttpResponse): Outcome<N> {
  const code = (response.json as { error?: unknown } | undefined)?.error;
  const refusal = typeof code === 'string' ? refusals[code] : undefined;
  return {
    ok: false,
    refusal: refusal ?? (response.status === 422 ? 'invalid' : 'error'),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

function ok(response: HttpResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/** A request on the current session: its id in the path, the CSRF token the caller sends on anything but GET. */
function onSession(
  { state, csrf }: { state: { sessionId: string | null }; csrf: string | null },
  method: string,
  rest: string,
  body?: unknown,
): HttpRequest {
  const headers: Record<string, string> = {};
  if (method !== 'GET' && csrf !== null) headers['x-csrf-token'] = csrf;
  const path = `/api/v1/sessions/${encodeURIComponent(state.sessionId ?? 'none')}${rest}`;
  return { method, path, headers, ...(body === undefined ? {} : { body }) };
}

function cart(body: any): Cart {
  return { id: null, owner: null, items: body.items.map((line: any) => ({ sku: line.sku, quantity: line.qty })) };
}

function order(body: any): Order {
  return { id: body.orderId, items: body.items.map((line: any) => ({ sku: line.sku, quantity: line.qty })) };
}

const cartAnswer = (response: HttpResponse): Outcome<'getCart'> =>
  ok(response) ? { ok: true, value: cart(response.json) } : refused(response);

export default defineAdapter({
  name: 'session-in-path-koa',
  semantics: {
    ...referenceSemantics,
    identity: 'path',
    guestCarts: true,
    writeWithoutSession: 'refused',
    loginCart: 'sum',
    add: 'increment',
    logoutEndsAccessTokens: false,
    rotatesOnLogin: true,
    csrf: true,
    // POST /orders takes no Idempotency-Key: a retry is a new checkout
    idempotencyKeys: false,
    // lines come in the order they were first added
    sortsItems: false,
    maxLineQuantity: 999,
    pastLineLimit: 'refused',
    maxAddQuantity: 99,
    // anything outside the catalogue, malformed or not, is 422 UNKNOWN_SKU
    refusedSkus: [
      { sku: 'not a sku', outcome: 'invalid' },
      { sku: 'SKU-9999', outcome: 'invalid' },
    ],
    timeouts: { ...referenceSemantics.timeouts, idleMs: 15 * 60_000, guestIdleMs: 15 * 60_000 },
    skus: ['SKU-0001', 'SKU-0002', 'SKU-0003'],
  },
  operations: {
    register: {
      request: ({ args }) => ({
        method: 'POST',
        path: '/api/v1/users',
        body: { username: args.email, password: args.password },
      }),
      parse: (response, { args }) => (ok(response) ? { ok: true, value: args } : refused(response)),
    },
    openSession: {
      request: () => ({ method: 'POST', path: '/api/v1/sessions' }),
      parse: (response) => {
        if (!ok(response)) return refused(response);
        const { sessionId, csrfToken } = response.json as { sessionId: string; csrfToken: string };
        return {
          ok: true,
          value: { id: sessionId, user: null, csrfToken },
          state: { sessionId, csrfToken },
        };
      },
    },
    whoami: {
      request: (c) => onSession(c, 'GET', ''),
      parse: (response) => {
        if (!ok(response)) return refused(response);
        const body = response.json as { sessionId: string; user: { username: string } | null };
        return { ok: true, value: { id: body.sessionId, user: body.user?.username ?? null, csrfToken: null } };
      },
    },
    login: {
      request: (c) => onSession(c, 'POST', '/login', { username: c.args.email, password: c.args.password }),
      parse: (response) => {
        if (!ok(response)) return refused(response);
        const body = response.json as { sessionId: string; csrfToken: string; user: { username: string } };
        return {
          ok: true,
          value: {
            session: { id: body.sessionId, user: body.user.username, csrfToken: body.csrfToken },
            accessToken: null,
            refreshToken: null,
          },
          state: { sessionId: body.sessionId, csrfToken: body.csrfToken },
        };
      },
    },
    logout: {
      request: (c) => onSession(c, 'DELETE', ''),
      parse: (response) => (ok(response) ? { ok: true, value: null, state: { sessionId: null } } : refused(response)),
    },
    logoutAll: {
      request: (c) => onSession(c, 'POST', '/logout-all'),
      parse: (response) => (ok(response) ? { ok: true, value: null, state: { sessionId: null } } : refused(response)),
    },
    getCart: { request: (c) => onSession(c, 'GET', '/cart'), parse: cartAnswer },
    addItem: {
      request: (c) => onSession(c, 'POST', '/cart/items', { sku: c.args.sku, qty: c.args.quantity }),
      parse: cartAnswer,
    },
    setQuantity: {
      request: (c) => onSession(c, 'PATCH', `/cart/items/${encodeURIComponent(c.args.sku)}`, { qty: c.args.quantity }),
      parse: cartAnswer,
    },
    removeItem: {
      request: (c) => onSession(c, 'DELETE', `/cart/items/${encodeURIComponent(c.args.sku)}`),
      parse: cartAnswer,
    },
    checkout: {
      request: (c) => onSession(c, 'POST', '/orders'),
      parse: (response) => (ok(response) ? { ok: true, value: order(response.json) } : refused(response)),
    },
    listOrders: {
      request: (c) => onSession(c, 'GET', '/orders'),
      parse: (response) =>
        ok(response)
          ? { ok: true, value: (response.json as { orders: unknown[] }).orders.map(order) }
          : refused(response),
    },
  },
});
