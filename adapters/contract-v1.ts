import { defineAdapter, type Adapter } from './adapter.ts';
import { referenceSemantics, type Semantics } from './semantics.ts';
import type {
  CallContext,
  Cart,
  HttpRequest,
  HttpResponse,
  ListedSession,
  OperationName,
  Order,
  Outcome,
  OperationTable,
  Refusal,
  ResultOf,
  SessionView,
  WishlistItem,
} from './types.ts';

/** Error codes of contract v1 that a client acts on, in the model's terms; any other refusal goes by status. */
const refusalByCode: Record<string, Refusal> = {
  CSRF_TOKEN_INVALID: 'csrf',
  CART_EMPTY: 'cart-empty',
  IDEMPOTENCY_CONFLICT: 'idempotency-conflict',
  REFRESH_TOKEN_REUSED: 'refresh-reused',
  REFRESH_TOKEN_INVALID: 'refresh-invalid',
};

const refusalByStatus: Record<number, Refusal> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  409: 'invalid',
  413: 'invalid',
  503: 'unavailable',
};

function refusal<N extends OperationName>(response: HttpResponse): Outcome<N> {
  const code = (response.json as { error?: { code?: unknown } } | undefined)?.error?.code;
  const known = typeof code === 'string' ? refusalByCode[code] : undefined;
  return {
    ok: false,
    refusal: known ?? refusalByStatus[response.status] ?? 'error',
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** A contract answer: 2xx carries the value `read` takes from the JSON body; anything else is a refusal. */
function answer<N extends OperationName>(
  read: (body: any, context: CallContext<N>) => ResultOf<N>,
  state?: (body: any, context: CallContext<N>) => Outcome<N>['state'],
) {
  return (response: HttpResponse, context: CallContext<N>): Outcome<N> => {
    if (response.status < 200 || response.status > 299) return refusal(response);
    const body = response.json as any;
    const patch = state?.(body, context);
    return { ok: true, value: read(body, context), ...(patch ? { state: patch } : {}) };
  };
}

/** Headers of one contract request: the access token for bearer calls, the CSRF token for unsafe cookie calls. */
function call(method: string, path: string, context: CallContext<OperationName>, body?: unknown): HttpRequest {
  const headers: Record<string, string> = {};
  if (context.via === 'bearer' && context.state.accessToken !== null)
    headers.authorization = `Bearer ${context.state.accessToken}`;
  if (context.via === 'cookie' && context.csrf !== null && method !== 'GET') headers['x-csrf-token'] = context.csrf;
  return { method, path, headers, ...(body === undefined ? {} : { body }) };
}

function sessionView(body: any): SessionView {
  if (typeof body?.id !== 'string') throw new Error(`not a session view: ${JSON.stringify(body)}`);
  const user = body.user === null ? null : body.user?.email;
  return { id: body.id, user: typeof user === 'string' ? user : null, csrfToken: body.csrfToken ?? null };
}

function cart(body: any): Cart {
  if (!Array.isArray(body?.items)) throw new Error(`not a cart: ${JSON.stringify(body)}`);
  return {
    id: typeof body.id === 'string' ? body.id : null,
    owner: body.owner === 'guest' || body.owner === 'user' ? body.owner : null,
    items: body.items.map((line: any) => ({ sku: line?.sku, quantity: line?.quantity })),
    version: typeof body.version === 'number' ? body.version : null,
  };
}

function order(body: any): Order {
  if (typeof body?.id !== 'string' || !Array.isArray(body?.items))
    throw new Error(`not an order: ${JSON.stringify(body)}`);
  return { id: body.id, items: body.items.map((line: any) => ({ sku: line?.sku, quantity: line?.quantity })) };
}

function wishlist(body: any): WishlistItem[] {
  if (!Array.isArray(body?.items)) throw new Error(`not a wishlist: ${JSON.stringify(body)}`);
  return body.items.map((item: any) => ({ productId: item?.productId, addedAt: item?.addedAt ?? null }));
}

const cookieCsrf = (body: any, context: CallContext<'whoami' | 'openSession'>) =>
  context.via === 'cookie' && typeof body?.csrfToken === 'string' ? { csrfToken: body.csrfToken } : undefined;

const item = (sku: string) => `/cart/items/${encodeURIComponent(sku)}`;
const wish = (productId: string) => `/wishlist/items/${encodeURIComponent(productId)}`;

/** The reference server's own API (docs/contract.md) as an adapter: the default when no `--adapter` is given. */
/** The optional parts of contract v1 a server may leave out (its discovery document says which it has). */
export interface ContractFeatures {
  refresh: boolean;
  orders: boolean;
  wishlist: boolean;
}

const featureOperations: Record<keyof ContractFeatures, OperationName[]> = {
  refresh: ['refresh'],
  orders: ['checkout', 'listOrders'],
  wishlist: ['getWishlist', 'wishlistPut', 'wishlistDelete'],
};

/** Contract v1 as an adapter: every operation, but those of the features the server says it lacks. */
export function contractV1(
  semantics: Semantics = referenceSemantics,
  features: ContractFeatures = { refresh: true, orders: true, wishlist: true },
): Adapter {
  const operations = contractOperations();
  for (const [feature, names] of Object.entries(featureOperations)) {
    if (!features[feature as keyof ContractFeatures]) for (const name of names) delete operations[name];
  }
  return defineAdapter({ name: 'contract-v1', semantics, operations });
}

function contractOperations(): OperationTable {
  return {
    openSession: { request: (c) => call('GET', '/session', c), parse: answer(sessionView, cookieCsrf) },
    whoami: { request: (c) => call('GET', '/session', c), parse: answer(sessionView, cookieCsrf) },
    login: {
      request: (c) => call('POST', '/auth/login', c, { email: c.args.email, password: c.args.password }),
      parse: answer(
        (body) => ({
          session: sessionView(body?.session),
          accessToken: typeof body?.accessToken === 'string' ? body.accessToken : null,
          refreshToken: typeof body?.refreshToken === 'string' ? body.refreshToken : null,
        }),
        (body) => ({
          csrfToken: body?.session?.csrfToken ?? null,
          accessToken: body?.accessToken ?? null,
          refreshToken: body?.refreshToken ?? null,
        }),
      ),
    },
    logout: { request: (c) => call('POST', '/auth/logout', c), parse: answer(() => null) },
    logoutAll: { request: (c) => call('POST', '/auth/logout-all', c), parse: answer(() => null) },
    refresh: {
      request: (c) => call('POST', '/auth/refresh', { ...c, via: 'none' }, { refreshToken: c.args.refreshToken }),
      parse: answer(
        (body) => ({
          accessToken: typeof body?.accessToken === 'string' ? body.accessToken : null,
          refreshToken: typeof body?.refreshToken === 'string' ? body.refreshToken : null,
        }),
        (body) => ({ accessToken: body?.accessToken ?? null, refreshToken: body?.refreshToken ?? null }),
      ),
    },
    listSessions: {
      request: (c) => call('GET', '/sessions', c),
      parse: answer((body): ListedSession[] =>
        (body?.sessions ?? []).map((s: any) => ({ id: s?.id, current: s?.current === true })),
      ),
    },
    endSession: {
      request: (c) => call('DELETE', `/sessions/${encodeURIComponent(c.args.id)}`, c),
      parse: answer(() => null),
    },
    getCart: { request: (c) => call('GET', '/cart', c), parse: answer(cart) },
    addItem: {
      request: (c) => call('POST', '/cart/items', c, { sku: c.args.sku, quantity: c.args.quantity }),
      parse: answer(cart),
    },
    setQuantity: {
      request: (c) => call('PUT', item(c.args.sku), c, { quantity: c.args.quantity }),
      parse: answer(cart),
    },
    removeItem: { request: (c) => call('DELETE', item(c.args.sku), c), parse: answer(cart) },
    checkout: {
      request: (c) => {
        const request = call('POST', '/orders', c, { note: c.args.note });
        if (c.args.idempotencyKey !== null) request.headers!['idempotency-key'] = c.args.idempotencyKey;
        return request;
      },
      parse: answer(order),
    },
    listOrders: {
      request: (c) => call('GET', '/orders', c),
      parse: answer((body): Order[] => {
        if (!Array.isArray(body?.orders)) throw new Error(`not a list of orders: ${JSON.stringify(body)}`);
        return body.orders.map(order);
      }),
    },
    getWishlist: { request: (c) => call('GET', '/wishlist', c), parse: answer(wishlist) },
    wishlistPut: { request: (c) => call('PUT', wish(c.args.productId), c), parse: answer(wishlist) },
    wishlistDelete: { request: (c) => call('DELETE', wish(c.args.productId), c), parse: answer(wishlist) },
  };
}
