/**
 * The operation layer's vocabulary. An adapter maps sessionproof's operations onto one app's HTTP API with pure
 * functions: it builds requests from a virtual user's state and parses answers into the normalised results below.
 * The engine (engine.ts) owns all I/O, so one adapter runs in the property runner, the load scenarios and k6.
 */

/** How a request names its identity: the session cookie, the access token, or nothing. */
export type Via = 'cookie' | 'bearer' | 'none';

export interface HttpRequest {
  method: string;
  /** Path and query, from the target's root: `/cart?x=1`. */
  path: string;
  headers?: Record<string, string>;
  /** A JSON value (sent as JSON), or a string sent as it is with the content type the headers name. */
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; several Set-Cookie lines are in `setCookies`, not here. */
  headers: Record<string, string>;
  setCookies: string[];
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** What a virtual user carries between requests besides its cookie jar. Adapters update it through their parsers. */
export interface UserState {
  accessToken: string | null;
  refreshToken: string | null;
  csrfToken: string | null;
  /** For apps that carry the session id in the path or a header instead of a cookie. */
  sessionId: string | null;
  /** Anything else an adapter needs to remember (a user id for URLs, an ETag). */
  vars: Record<string, string>;
}

/**
 * Why a server refused an operation, in the terms the model reasons with. An adapter maps its app's statuses and
 * error codes onto these; `error` is an answer the adapter does not recognise.
 */
export type Refusal =
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf'
  | 'not-found'
  | 'invalid'
  | 'cart-empty'
  | 'idempotency-conflict'
  | 'refresh-reused'
  | 'refresh-invalid'
  | 'unavailable'
  | 'error';

export interface Account {
  /** The login name the app expects (an email, or a user name). */
  email: string;
  password: string;
}

export interface CartLine {
  sku: string;
  quantity: number;
}

export interface Cart {
  /** The cart's own id where the app shows one, so a second cart for one owner can be seen. */
  id: string | null;
  owner: 'guest' | 'user' | null;
  /** One entry per line as the app shows them (an app that adds a line per add may repeat a SKU). */
  items: CartLine[];
  /**
   * Where the app shows one (contract v1's `version`): a number that never goes back for one cart and moves whenever
   * its lines change, so clients can tell a stale copy. Absent or null: not checked.
   */
  version?: number | null;
}

export interface SessionView {
  /** The public id of the session, where the app shows one. */
  id: string | null;
  /** The signed-in user's login name, or null for a guest. */
  user: string | null;
  csrfToken: string | null;
}

export interface Tokens {
  accessToken: string | null;
  refreshToken: string | null;
}

export interface LoginResult extends Tokens {
  session: SessionView | null;
}

export interface ListedSession {
  id: string;
  current: boolean;
}

export interface Order {
  id: string;
  items: CartLine[];
}

export interface WishlistItem {
  productId: string;
  addedAt: number | null;
}

/** Every operation with its arguments and its normalised result. */
export interface Operations {
  openSession: { args: Record<string, never>; result: SessionView };
  register: { args: Account; result: Account };
  login: { args: Account; result: LoginResult };
  whoami: { args: Record<string, never>; result: SessionView };
  logout: { args: Record<string, never>; result: null };
  logoutAll: { args: Record<string, never>; result: null };
  refresh: { args: { refreshToken: string }; result: Tokens };
  listSessions: { args: Record<string, never>; result: ListedSession[] };
  endSession: { args: { id: string }; result: null };
  getCart: { args: Record<string, never>; result: Cart };
  addItem: { args: CartLine; result: Cart };
  setQuantity: { args: CartLine; result: Cart };
  removeItem: { args: { sku: string }; result: Cart };
  checkout: { args: { idempotencyKey: string | null; note: number }; result: Order };
  listOrders: { args: Record<string, never>; result: Order[] };
  getWishlist: { args: Record<string, never>; result: WishlistItem[] };
  wishlistPut: { args: { productId: string }; result: WishlistItem[] };
  wishlistDelete: { args: { productId: string }; result: WishlistItem[] };
}

export type OperationName = keyof Operations;
export type ArgsOf<N extends OperationName> = Operations[N]['args'];
export type ResultOf<N extends OperationName> = Operations[N]['result'];

/** What a builder and a parser see of the call. */
export interface CallContext<N extends OperationName> {
  args: ArgsOf<N>;
  state: Readonly<UserState>;
  via: Via;
  /** The CSRF token to send: the user's own unless the caller overrides it; null sends none. */
  csrf: string | null;
  /** The responses of the earlier steps of this call, oldest first. */
  previous: HttpResponse[];
}

/** A parser's verdict on one answer. `state` is merged into the user's state, whatever the verdict. */
export type Outcome<N extends OperationName> =
  | { ok: true; value: ResultOf<N>; state?: Partial<UserState> }
  | { ok: false; refusal: Refusal; code?: string; state?: Partial<UserState> }
  /** A multi-step operation: send this next (a form post, then the redirect it answers with). */
  | { next: HttpRequest; state?: Partial<UserState> };

export interface OperationSpec<N extends OperationName> {
  request(context: CallContext<N>): HttpRequest;
  parse(response: HttpResponse, context: CallContext<N>): Outcome<N>;
}

export type OperationTable = { [N in OperationName]?: OperationSpec<N> };
