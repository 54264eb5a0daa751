import fc, { type AsyncCommand } from 'fast-check';
import type { Semantics } from '../../adapters/semantics.ts';
import type { OperationName } from '../../adapters/types.ts';
import type { Model } from '../model.ts';
import type { Timeouts } from '../targets.ts';
import { Login, Logout, LogoutAll, RefusedLogin, RegisterTaken, SignInElsewhere } from './auth.ts';
import { BulkSessions } from './bulk.ts';
import { AddAtLimit, AddRefusedSku, FillLine, GetCart, WriteCart } from './cart.ts';
import { CloneClient, NewClient } from './clients.ts';
import { AdvanceClock, KeepAlive, Sweep, SweepPastAbsolute, ToDeadline, type DeadlineOffset } from './clock.ts';
import { ForeignCsrfWrite } from './csrf.ts';
import { ForgedCookie, UnsignedCookie } from './forge.ts';
import { Checkout, ListOrders, ParallelCheckout, Purchase } from './orders.ts';
import { ParallelBatch, type BatchOp } from './parallel.ts';
import { Refresh, RefreshStorm, TamperedRefresh } from './refresh.ts';
import { LogoutDuringRequest } from './logout-race.ts';
import { GetSession, OpenSession } from './session.ts';
import { DeleteSession, ListSessions } from './sessions.ts';
import type { Real, Via } from './shared.ts';
import { WishlistRequest, WishlistRoundTrip, type WishlistAction } from './wishlist.ts';

export type Command = AsyncCommand<Model, Real>;

/** What the generators need to know about the target and the run. */
export interface CommandEnv {
  skus: string[];
  timeouts: Timeouts;
  users: number;
  /** Session counts for population-size commands. */
  population: number[];
  /** How far the target's clock may run ahead of the model's. */
  slackMs: number;
  /** Whether the target's clock stands still between advances, so a command may land exactly on a deadline. */
  exactTime: boolean;
  /** Whether checkout honours an Idempotency-Key. */
  idempotencyKeys: boolean;
  /** How the target names a client's identity. */
  identity: Semantics['identity'];
  /** Whether the target's adapter offers an operation; a command needing one it lacks is never drawn. */
  offers: (operation: OperationName) => boolean;
}

/** The command groups a property family can draw from. */
export type CommandKind =
  | 'clients'
  | 'session'
  | 'cart'
  | 'bearer'
  | 'login'
  | 'credentials'
  | 'logout'
  | 'sessions'
  | 'refresh'
  | 'clock'
  | 'sweep'
  | 'csrf'
  | 'forge'
  | 'parallel'
  | 'bulk'
  | 'orders'
  | 'wishlist';

/** Runs start with two clients; indices past the clients that exist fail the precondition, so favour the first two. */
const clientIndex = fc.constantFrom(0, 1, 0, 1, 2, 3);

/** How commands name the client: by cookie (or a session id in the path), by bearer token, or a mix where both work. */
function viaFor(identity: Semantics['identity'], bearer: boolean): fc.Arbitrary<Via> {
  if (identity === 'bearer') return fc.constant<Via>('bearer');
  return bearer && identity === 'cookie+bearer'
    ? fc.constantFrom<Via>('cookie', 'cookie', 'bearer')
    : fc.constant<Via>('cookie');
}

/**
 * Clock steps around the timeouts that matter: just inside and just past each of them, clear of the band in which
 * the server's clock may run ahead of the model's (`slackMs`). With no slack (exact time) they land a millisecond
 * before and exactly on the idle timeouts and the grace window's end, and a second past the access token's `exp`,
 * which counts in whole seconds.
 */
export function clockSteps(
  { idleMs, guestIdleMs, accessTokenMs, refreshGraceMs }: Timeouts,
  slackMs: number,
): number[] {
  const minute = 60_000;
  const aroundDeadlines =
    slackMs === 0
      ? [idleMs - 1, idleMs, refreshGraceMs, refreshGraceMs + 1, accessTokenMs + 1000, guestIdleMs - 1, guestIdleMs]
      : [idleMs - 4 * slackMs, idleMs + 2 * slackMs, accessTokenMs + 2 * slackMs, guestIdleMs + 2 * slackMs];
  return [...new Set([2 * refreshGraceMs + 1000, Math.min(minute, Math.round(idleMs / 4)), ...aroundDeadlines])]
    .filter((ms) => ms > 0 && Number.isSafeInteger(ms))
    .sort((a, b) => a - b);
}

/** A family can make some groups more frequent: a weight of 3 draws that group's commands three times as often. */
export type Weights = Partial<Record<CommandKind, number>>;

export function commandArbitraries(
  kinds: CommandKind[],
  env: CommandEnv,
  weights: Weights = {},
): fc.Arbitrary<Command>[] {
  const via = viaFor(env.identity, kinds.includes('bearer'));
  const sku = fc.constantFrom(...env.skus);
  const quantity = fc.integer({ min: 1, max: 5 });
  const arbitraries: fc.Arbitrary<Command>[] = [];
  const add = (kind: CommandKind, arbitrary: fc.Arbitrary<Command>, weight = 1, needs: OperationName[] = []) => {
    if (!kinds.includes(kind) || !needs.every(env.offers)) return;
    for (let i = 0; i < weight * (weights[kind] ?? 1); i++) arbitraries.push(arbitrary);
  };
  const cookies = env.identity === 'cookie' || env.identity === 'cookie+bearer';

  add('clients', fc.constant(new NewClient()), 2);
  add(
    'clients',
    clientIndex.map((client) => new CloneClient(client)),
  );
  add(
    'session',
    fc.tuple(clientIndex, via).map(([client, v]) => new GetSession(client, v)),
    3,
    ['whoami'],
  );
  // where the session is a resource named in the path, nothing happens until a client opens one (with cookies,
  // first contact opens it without asking)
  if (env.identity === 'path')
    add(
      'session',
      clientIndex.map((client) => new OpenSession(client)),
      3,
      ['openSession'],
    );
  add(
    'cart',
    fc.tuple(clientIndex, via).map(([client, v]) => new GetCart(client, v)),
    1,
    ['getCart'],
  );
  add(
    'cart',
    fc
      .tuple(clientIndex, via, sku, quantity)
      .map(([client, v, s, q]) => new WriteCart(client, v, { kind: 'add', sku: s, quantity: q })),
    3,
    ['addItem', 'getCart'],
  );
  add(
    'cart',
    fc
      .tuple(clientIndex, via, sku, fc.integer({ min: 0, max: 5 }))
      .map(([client, v, s, q]) => new WriteCart(client, v, { kind: 'set', sku: s, quantity: q })),
    1,
    ['setQuantity', 'getCart'],
  );
  add(
    'cart',
    fc.tuple(clientIndex, via, sku).map(([client, v, s]) => new AddAtLimit(client, v, s)),
    1,
    ['addItem', 'getCart'],
  );
  add(
    'cart',
    fc.tuple(clientIndex, via, sku).map(([client, v, s]) => new FillLine(client, v, s)),
    1,
    ['setQuantity', 'addItem', 'getCart'],
  );
  add(
    'cart',
    fc.tuple(clientIndex, via, fc.nat({ max: 7 })).map(([client, v, pick]) => new AddRefusedSku(client, v, pick)),
    1,
    ['addItem', 'getCart'],
  );
  add(
    'cart',
    fc.tuple(clientIndex, via, sku).map(([client, v, s]) => new WriteCart(client, v, { kind: 'remove', sku: s })),
    1,
    ['removeItem', 'getCart'],
  );
  if (env.users > 0)
    add(
      'login',
      fc.tuple(clientIndex, fc.nat({ max: env.users - 1 })).map(([client, user]) => new Login(client, user)),
      2,
      ['login', 'getCart'],
    );
  if (env.users > 0)
    add(
      'credentials',
      fc
        .tuple(clientIndex, fc.nat({ max: env.users - 1 }), fc.constantFrom('password' as const, 'account' as const))
        .map(([client, user, mistake]) => new RefusedLogin(client, user, mistake)),
      1,
      ['login', 'whoami'],
    );
  if (env.users > 0)
    add(
      'credentials',
      fc.nat({ max: env.users - 1 }).map((user) => new RegisterTaken(user)),
      1,
      ['register', 'login'],
    );
  add(
    'logout',
    fc.tuple(clientIndex, via).map(([client, v]) => new Logout(client, v)),
    1,
    ['logout'],
  );
  add(
    'logout',
    fc.tuple(clientIndex, via).map(([client, v]) => new LogoutAll(client, v)),
    1,
    ['logoutAll'],
  );
  if (env.identity !== 'bearer')
    add(
      'logout',
      clientIndex.map((client) => new LogoutDuringRequest(client)),
      1,
      ['logout', 'getCart', 'whoami'],
    );
  add(
    'sessions',
    fc.tuple(clientIndex, via).map(([client, v]) => new ListSessions(client, v)),
    1,
    ['listSessions'],
  );
  add(
    'sessions',
    fc.tuple(clientIndex, via, fc.nat({ max: 7 })).map(([client, v, pick]) => new DeleteSession(client, v, pick)),
    1,
    ['endSession'],
  );
  // one user signed in on several devices, so ending, listing and logging out everywhere meet many sessions of a user
  // (where the session is named in the path, login needs a session the new device does not have)
  const manySessions = env.offers('listSessions') || env.offers('endSession') || env.offers('logoutAll');
  if (env.users > 0 && env.identity !== 'path' && manySessions)
    add(
      'sessions',
      fc.nat({ max: env.users - 1 }).map((user) => new SignInElsewhere(user)),
      1,
      ['login', 'getCart'],
    );
  add(
    'refresh',
    fc.tuple(clientIndex, fc.constantFrom(0, 1, 2)).map(([client, back]) => new Refresh(client, back)),
    2,
    ['refresh', 'whoami'],
  );
  add(
    'refresh',
    fc.tuple(clientIndex, fc.integer({ min: 2, max: 4 })).map(([client, count]) => new RefreshStorm(client, count)),
    1,
    ['refresh', 'whoami'],
  );
  add(
    'refresh',
    fc
      .tuple(clientIndex, fc.constantFrom(0, 1, 2), fc.nat({ max: 63 }))
      .map(([client, back, pick]) => new TamperedRefresh(client, back, pick)),
    1,
    ['refresh'],
  );
  add(
    'clock',
    fc.constantFrom(...clockSteps(env.timeouts, env.slackMs)).map((ms) => new AdvanceClock(ms)),
    2,
  );
  if (env.exactTime)
    add(
      'clock',
      fc
        .tuple(fc.nat(7), fc.constantFrom<DeadlineOffset>(-1, 0, 1))
        .map(([pick, offset]) => new ToDeadline(pick, offset)),
      2,
    );
  add(
    'clock',
    fc.tuple(clientIndex, via).map(([client, v]) => new KeepAlive(client, v)),
    1,
    ['whoami'],
  );

  add(
    'clock',
    fc.tuple(clientIndex, via).map(([client, v]) => new KeepAlive(client, v, 'cart')),
    1,
    ['getCart'],
  );
  // only where refreshes are drawn at all, so families without them keep their clock steps for what they check
  if (kinds.includes('refresh'))
    add(
      'clock',
      clientIndex.map((client) => new KeepAlive(client, 'cookie', 'refresh')),
      1,
      ['refresh', 'whoami'],
    );
  add('sweep', fc.constant(new Sweep()));
  add(
    'sweep',
    fc.tuple(clientIndex, via).map(([client, v]) => new SweepPastAbsolute(client, v)),
    1,
    ['whoami'],
  );
  add(
    'csrf',
    fc
      .tuple(clientIndex, fc.integer({ min: -1, max: 3 }), sku)
      .map(([client, other, s]) => new ForeignCsrfWrite(client, other, s)),
    2,
    ['addItem', 'getCart'],
  );
  if (cookies) {
    add(
      'forge',
      fc
        .uint8Array({ minLength: 16, maxLength: 16 })
        .map((bytes) => new ForgedCookie(Buffer.from(bytes).toString('base64url'))),
      2,
      ['whoami'],
    );
    add(
      'forge',
      clientIndex.map((client) => new UnsignedCookie(client)),
      1,
      ['whoami'],
    );
  }
  const op: fc.Arbitrary<BatchOp> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), client: clientIndex, via, sku, quantity }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constantFrom('getCart' as const, 'getSession' as const),
        client: clientIndex,
        via,
      }),
    },
  );
  add(
    'parallel',
    fc.array(op, { minLength: 2, maxLength: 6 }).map((ops) => new ParallelBatch(ops)),
    3,
    ['addItem', 'getCart', 'whoami'],
  );
  if (cookies)
    add(
      'bulk',
      fc.constantFrom(...env.population).map((count) => new BulkSessions(count)),
      1,
      ['whoami', 'logout'],
    );
  // a few idempotency keys, so retries with the same key (and now and then another body under it) come up
  const key = env.idempotencyKeys ? fc.option(fc.nat({ max: 2 }), { freq: 3 }) : fc.constant(null);
  add(
    'orders',
    fc
      .tuple(clientIndex, via, key, fc.constantFrom(0, 0, 0, 1))
      .map(([client, v, k, variant]) => new Checkout(client, v, k, variant)),
    2,
    ['checkout', 'listOrders'],
  );
  add(
    'orders',
    fc
      .tuple(clientIndex, via, fc.array(key, { minLength: 2, maxLength: 4 }))
      .map(([client, v, keys]) => new ParallelCheckout(client, v, keys)),
    1,
    ['checkout', 'listOrders'],
  );
  add(
    'orders',
    fc.tuple(clientIndex, via, sku, key).map(([client, v, s, k]) => new Purchase(client, v, s, k)),
    2,
    ['addItem', 'checkout', 'listOrders'],
  );
  add(
    'orders',
    fc.tuple(clientIndex, via).map(([client, v]) => new ListOrders(client, v)),
    1,
    ['listOrders'],
  );
  const wish: fc.Arbitrary<WishlistAction> = fc.oneof(
    fc.constant<WishlistAction>({ kind: 'get' }),
    // two products, so puts of one already wished for come up often
    fc.record({
      kind: fc.constantFrom('put' as const, 'put' as const, 'delete' as const),
      productId: fc.constantFrom(...env.skus.slice(0, 2)),
    }),
  );
  add(
    'wishlist',
    fc.tuple(clientIndex, via, wish).map(([client, v, action]) => new WishlistRequest(client, v, action)),
    2,
    ['getWishlist', 'wishlistPut', 'wishlistDelete'],
  );
  // An app selling one product gets the round trip on that one twice.
  const [first, second = first] = env.skus as [string, ...string[]];
  add(
    'wishlist',
    fc
      .tuple(clientIndex, via, fc.boolean())
      .map(([client, v, swapped]) =>
        swapped ? new WishlistRoundTrip(client, v, second, first) : new WishlistRoundTrip(client, v, first, second),
      ),
    1,
    ['getWishlist', 'wishlistPut', 'wishlistDelete'],
  );
  return arbitraries;
}
