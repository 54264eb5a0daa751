import { defineAdapter, referenceSemantics } from '../../adapters/index.ts';
import type { Cart, HttpResponse, OperationName, Outcome, Refusal } from '../../adapters/index.ts';

/**
 * sessionproof's operations on the login-merge-race shop (README.md): a session cookie from express-session, carts
 * by owner in the app's memory, errors as `{"error": code}`.
 */

const refusals: Record<string, Refusal> = {
  no_session: 'unauthenticated',
  invalid_credentials: 'unauthenticated',
  invalid_request: 'invalid',
  email_taken: 'invalid',
};

function refused<N extends OperationName>(response: HttpResponse): Outcome<N> {
  const code = (response.json as { error?: unknown } | undefined)?.error;
  const refusal = typeof code === 'string' ? refusals[code] : undefined;
  return { ok: false, refusal: refusal ?? 'error', ...(typeof code === 'string' ? { code } : {}) };
}

const ok = (response: HttpResponse) => response.status >= 200 && response.status < 300;

function cart(body: any): Cart {
  if (!Array.isArray(body?.items)) throw new Error(`not a cart: ${JSON.stringify(body)}`);
  return { id: null, owner: body.owner, items: body.items.map((l: any) => ({ sku: l?.sku, quantity: l?.quantity })) };
}

const cartAnswer = <N extends 'getCart' | 'addItem' | 'setQuantity' | 'removeItem'>(
  response: HttpResponse,
): Outcome<N> => (ok(response) ? { ok: true, value: cart(response.json) } : refused(response));

const item = (sku: string) => `/api/cart/items/${encodeURIComponent(sku)}`;

export default defineAdapter({
  name: 'login-merge-race',
  semantics: {
    ...referenceSemantics,
    identity: 'cookie',
    guestCarts: true,
    // a write needs the session a first read opened
    writeWithoutSession: 'refused',
    cartScope: 'user',
    // login sums the guest cart into the user's, per SKU
    loginCart: 'sum',
    add: 'increment',
    // no tokens: logout ends the session, and nothing else identifies the client
    logoutEndsAccessTokens: true,
    rotatesOnLogin: true,
    // the cookie is SameSite=Strict and the app checks no token
    csrf: false,
    idempotencyKeys: false,
    // lines come in the order they were first added
    sortsItems: false,
    maxLineQuantity: 999,
    pastLineLimit: 'capped',
    maxAddQuantity: 99,
    // the app sells anything shaped like SKU-0000, so only a malformed SKU is refused (400 invalid_request)
    refusedSkus: [{ sku: 'not a sku', outcome: 'invalid' }],
    skus: ['SKU-0001', 'SKU-0002', 'SKU-0003'],
  },
  operations: {
    register: {
      request: ({ args }) => ({ method: 'POST', path: '/api/users', body: args }),
      parse: (response, { args }) => (ok(response) ? { ok: true, value: args } : refused(response)),
    },
    whoami: {
      request: () => ({ method: 'GET', path: '/api/me' }),
      parse: (response) => {
        if (!ok(response)) return refused(response);
        const body = response.json as { id: string; user: string | null };
        return { ok: true, value: { id: body.id, user: body.user, csrfToken: null } };
      },
    },
    login: {
      request: ({ args }) => ({ method: 'POST', path: '/api/login', body: args }),
      parse: (response) => {
        if (!ok(response)) return refused(response);
        const body = response.json as { id: string; user: string };
        return {
          ok: true,
          value: { session: { id: body.id, user: body.user, csrfToken: null }, accessToken: null, refreshToken: null },
        };
      },
    },
    logout: {
      request: () => ({ method: 'POST', path: '/api/logout' }),
      parse: (response) => (ok(response) ? { ok: true, value: null } : refused(response)),
    },
    getCart: { request: () => ({ method: 'GET', path: '/api/cart' }), parse: cartAnswer },
    addItem: {
      request: ({ args }) => ({ method: 'POST', path: '/api/cart/items', body: args }),
      parse: cartAnswer,
    },
    setQuantity: {
      request: ({ args }) => ({ method: 'PUT', path: item(args.sku), body: { quantity: args.quantity } }),
      parse: cartAnswer,
    },
    removeItem: { request: ({ args }) => ({ method: 'DELETE', path: item(args.sku) }), parse: cartAnswer },
  },
});
