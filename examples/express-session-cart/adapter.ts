import { defineAdapter, referenceSemantics } from '../../adapters/index.ts';
import type { Cart, HttpRequest, HttpResponse, OperationName, Outcome, Refusal } from '../../adapters/index.ts';

/**
 * sessionproof's operations on the express-session shop (README.md): a `connect.sid` cookie the engine's jar
 * carries, a JSON API under /api, errors as `{"error": code}`, and the cart kept in the session. Products are
 * integer ids; sessionproof's SKUs are those ids as strings.
 */

/** The app's error codes in the model's terms; anything else goes by status. */
const refusals: Record<string, Refusal> = {
  invalid_request: 'invalid',
  invalid_username: 'invalid',
  invalid_password: 'invalid',
  username_taken: 'invalid',
  invalid_credentials: 'unauthenticated',
  not_logged_in: 'unauthenticated',
  // an add of an id the products table lacks is bad input, not a missing resource of the user's
  product_not_found: 'invalid',
  quantity_limit: 'invalid',
  not_in_cart: 'not-found',
};

function refused<N extends OperationName>(response: HttpResponse): Outcome<N> {
  const code = (response.json as { error?: unknown } | undefined)?.error;
  const refusal = typeof code === 'string' ? refusals[code] : undefined;
  return {
    ok: false,
    refusal: refusal ?? (response.status === 503 ? 'unavailable' : 'error'),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

const ok = (response: HttpResponse) => response.status >= 200 && response.status < 300;

/** A SKU is a product id written as a string; anything else is sent as it is, for the app to refuse. */
const productId = (sku: string): number | string => (/^[0-9]{1,9}$/.test(sku) ? Number(sku) : sku);

const post = (path: string, body?: unknown): HttpRequest => ({
  method: 'POST',
  path,
  ...(body === undefined ? {} : { body }),
});

/** The app shows neither a cart id nor whose cart it is: the cart is simply the session's. */
function cart(body: any): Cart {
  if (!Array.isArray(body?.items)) throw new Error(`not a cart: ${JSON.stringify(body)}`);
  return {
    id: null,
    owner: null,
    items: body.items.map((line: any) => ({ sku: String(line?.productId), quantity: line?.qty })),
  };
}

const cartAnswer = <N extends 'getCart' | 'addItem' | 'setQuantity' | 'removeItem'>(
  response: HttpResponse,
): Outcome<N> => (ok(response) ? { ok: true, value: cart(response.json) } : refused(response));

const minute = 60_000;
/** The app has no absolute session lifetime: a session used often enough lives on. */
const never = Number.MAX_SAFE_INTEGER;

export default defineAdapter({
  name: 'express-session-cart',
  semantics: {
    identity: 'cookie',
    // saveUninitialized: true gives every visitor a session, and a cart in it
    guestCarts: true,
    writeWithoutSession: 'opens-session',
    // req.session.cart: each browser has its own cart, signed in or not, and logout destroys it
    cartScope: 'session',
    // login regenerates the session and carries the guest cart into it as it is
    loginCart: 'adopt',
    add: 'increment',
    // no access tokens at all: logout destroys the session, which is all there is
    logoutEndsAccessTokens: false,
    rotatesOnLogin: true,
    // no CSRF token: the app relies on SameSite=Lax and JSON bodies
    csrf: false,
    maxLineQuantity: 99,
    pastLineLimit: 'refused',
    timeouts: {
      // accessTokenMs and refreshGraceMs stay at the reference values and are unused: the app issues no tokens
      ...referenceSemantics.timeouts,
      // The session ends SESSION_MAX_AGE_MS after the last request (resave: true pushes it back), for guests and
      // users alike. The app has no clock control, so its test deployment runs with a short value:
      // SESSION_MAX_AGE_MS=60000.
      idleMs: 1 * minute,
      guestIdleMs: 1 * minute,
      absoluteMs: never,
    },
    skus: ['1', '2', '3'],
  },
  operations: {
    // The email field carries the login name, which must fit ^[A-Za-z0-9_.@-]{3,64}$: sessionproof's generated
    // names (`sessionproof-check-<hex>@example.test`) do. Registering does not sign in.
    register: {
      request: ({ args }) => post('/api/register', { username: args.email, password: args.password }),
      parse: (response, { args }) => (ok(response) ? { ok: true, value: args } : refused(response)),
    },
    // The app shows no session id (it is only inside the signed cookie), so every SessionView has id null; the
    // rotation on login shows as the old cookie no longer being signed in.
    login: {
      request: ({ args }) => post('/api/login', { username: args.email, password: args.password }),
      parse: (response) => {
        if (!ok(response)) return refused(response);
        const user = (response.json as { user?: { username?: unknown } } | undefined)?.user?.username;
        if (typeof user !== 'string') throw new Error(`no user in the login answer: ${response.text}`);
        return {
          ok: true,
          value: { session: { id: null, user, csrfToken: null }, accessToken: null, refreshToken: null },
        };
      },
    },
    // GET /api/me answers 401 not_logged_in to a guest. That is not a refusal of the caller's identity: with
    // saveUninitialized every request has a session (an unknown, ended or missing cookie gets a fresh one in the
    // same answer), so there is no "no session" state for a cookie client, only a guest session, whose cart the
    // next /api/cart shows. A guest is a valid identity here, so 401 not_logged_in is a guest view with user null.
    whoami: {
      request: () => ({ method: 'GET', path: '/api/me' }),
      parse: (response) => {
        const code = (response.json as { error?: unknown } | undefined)?.error;
        if (response.status === 401 && code === 'not_logged_in')
          return { ok: true, value: { id: null, user: null, csrfToken: null } };
        if (!ok(response)) return refused(response);
        const user = (response.json as { user?: { username?: unknown } }).user?.username;
        if (typeof user !== 'string') throw new Error(`no user in the /api/me answer: ${response.text}`);
        return { ok: true, value: { id: null, user, csrfToken: null } };
      },
    },
    // destroys the session and clears the cookie (the jar drops it); fine without a session too
    logout: {
      request: () => post('/api/logout'),
      parse: (response) => (ok(response) ? { ok: true, value: null } : refused(response)),
    },
    getCart: { request: () => ({ method: 'GET', path: '/api/cart' }), parse: cartAnswer },
    addItem: {
      request: ({ args }) => post('/api/cart/add', { productId: productId(args.sku), qty: args.quantity }),
      parse: cartAnswer,
    },
    // setQuantity sets a SKU's quantity whether or not the cart has its line (0 takes it out), as the model has it.
    // The app's update only changes a line that is there (404 not_in_cart otherwise), so for a missing line the
    // operation goes on with what the user would do next: add it, or, for 0, read the cart that already lacks it.
    setQuantity: {
      request: ({ args }) => post('/api/cart/update', { productId: productId(args.sku), qty: args.quantity }),
      parse: (response, { args }) => {
        const code = (response.json as { error?: unknown } | undefined)?.error;
        if (response.status === 404 && code === 'not_in_cart')
          return {
            next:
              args.quantity > 0
                ? post('/api/cart/add', { productId: productId(args.sku), qty: args.quantity })
                : { method: 'GET', path: '/api/cart' },
          };
        return cartAnswer(response);
      },
    },
    // answers the cart whether or not the line was there
    removeItem: {
      request: ({ args }) => post('/api/cart/remove', { productId: productId(args.sku) }),
      parse: cartAnswer,
    },
  },
});
