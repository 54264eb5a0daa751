import { primaryVia as primaryViaOf } from '../../adapters/semantics.ts';
import type { Adapter } from '../../adapters/adapter.ts';
import type { Reply } from '../../adapters/contract-client.ts';
import { perform, type OpResult, type PerformOptions } from '../../adapters/engine.ts';
import type { Account, ArgsOf, Cart, OperationName, Refusal, SessionView } from '../../adapters/types.ts';
import type { VirtualUser } from '../../adapters/virtual-user.ts';
import type { History } from '../../adapters/history.ts';
import { linesOf, type ClientState, type Model, type OwnerKey, type SessionState } from '../model.ts';
import type { Target } from '../targets.ts';

/** The system under test as one run sees it: the clients, and what the model's abstract names stand for. */
export interface Real {
  target: Target;
  /** How operations reach the target's API. */
  adapter: Adapter;
  history: History;
  route: () => string;
  accounts: Account[];
  clients: VirtualUser[];
  /** Public session id of each model session. */
  sessionIds: Map<number, string>;
  seenSessionIds: Set<string>;
  csrf: Map<number, string>;
  cartIds: Map<OwnerKey, string>;
  /** The version and lines each cart (by owner and id) showed last, where the target shows versions. */
  cartVersions: Map<string, { version: number; lines: string }>;
  /** Refresh token of each generation of each session's family. */
  refreshTokens: Map<number, string[]>;
  /** Wall-clock time of each family's last rotation, to tell a slow run from a grace-window answer. */
  rotatedAtWall: Map<number, number>;
  /** The server's swept-sessions count at the last check, when the run sweeps. */
  sweptBaseline: number | null;
  /** The server's ended-sessions count when the run started, when the run sweeps and the stats show it. */
  endedBaseline: number | null;
}

export type Via = 'cookie' | 'bearer';

/** Runs one operation as the run's client `index`, through the target's adapter. */
export function act<N extends OperationName>(
  r: Real,
  index: number,
  name: N,
  args: ArgsOf<N>,
  options: PerformOptions = {},
): Promise<OpResult<N>> {
  return perform(r.clients[index]!, r.adapter, name, args, options);
}

export type Expected = 'ok' | Refusal;

/**
 * A server answer that the model does not allow. `guarantee` names the property family whose guarantee the check
 * belongs to when it is that narrow (a lost update under concurrency is no-lost-updates' to report, whichever
 * family's history ran into it); without one, the answer breaks the model every family shares.
 */
export class PropertyViolation extends Error {
  override name = 'PropertyViolation';

  constructor(
    message: string,
    readonly guarantee: string | null = null,
  ) {
    super(message);
  }
}

export function violation(message: string, guarantee: string | null = null): never {
  throw new PropertyViolation(message, guarantee);
}

function resultText(result: OpResult<OperationName>): string {
  const code = result.code === null ? '' : ` ${result.code}`;
  return `${result.outcome}${code} (${result.status} ${JSON.stringify(result.body)?.slice(0, 300)})`;
}

/** Checks the status of a test-control request (clock, sweep, stats), which speaks contract v1 whatever the adapter. */
export function expectControlStatus(reply: Reply, allowed: number[], what: string): void {
  if (!allowed.includes(reply.status))
    violation(
      `${what}: expected ${allowed.join(' or ')}, got ${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`,
    );
}

/** Fails unless the operation ended in one of the allowed ways; returns the value of a successful one. */
export function expectOutcome<N extends OperationName>(
  result: OpResult<N>,
  allowed: Expected[],
  what: string,
  guarantee: string | null = null,
): OpResult<N>['value'] {
  if (!allowed.includes(result.outcome))
    violation(`${what}: expected ${allowed.join(' or ')}, got ${resultText(result)}`, guarantee);
  return result.value;
}

/** The value of an operation that must succeed. */
export function clientPair(m: Model, r: Real, index: number): [ClientState, VirtualUser] {
  return [m.clients[index]!, r.clients[index]!];
}

export function expectOk<N extends OperationName>(
  result: OpResult<N>,
  what: string,
): NonNullable<OpResult<N>['value']> {
  expectOutcome(result, ['ok'], what);
  return result.value!;
}

/** Checks a session view against the model session it must describe, learning its public id the first time. */
export function expectSessionView(m: Model, r: Real, view: SessionView, session: SessionState, what: string): void {
  if (view.id !== null) {
    const known = r.sessionIds.get(session.key);
    if (known === undefined) {
      if (r.seenSessionIds.has(view.id))
        violation(`${what}: expected a new session, got the earlier session id ${view.id}`);
      r.sessionIds.set(session.key, view.id);
      r.seenSessionIds.add(view.id);
    } else if (view.id !== known) {
      violation(
        `${what}: expected session ${known}, got ${view.id}${r.seenSessionIds.has(view.id) ? ' (an earlier session)' : ' (a new one)'}`,
      );
    }
  }
  const email = session.user === null ? null : r.accounts[session.user]!.email;
  if (view.user !== email)
    violation(`${what}: expected user ${email ?? 'null (guest)'}, got ${view.user ?? 'a guest'}`);
  if (view.csrfToken !== null) r.csrf.set(session.key, view.csrfToken);
}

/** Checks a cart against the model's cart of `owner`: same lines, no duplicate SKUs, the one cart id. */
export function expectCart(m: Model, r: Real, cart: Cart, owner: OwnerKey, what: string): void {
  expectCartShape(m, r, cart, owner, what);
  const expected = linesOf(m.carts.get(owner));
  const actual = linesOf(quantities(m, cart));
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    violation(`${what}: expected cart ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  expectVersionMoves(r, cart, owner, JSON.stringify(actual), what);
}

/**
 * A cart's version never goes back, and it moves when the lines do. Only answers the model already matched come
 * here, each after the one before it finished, so a lower version is a stale cart, not a reordered reply.
 */
function expectVersionMoves(r: Real, cart: Cart, owner: OwnerKey, lines: string, what: string): void {
  if (typeof cart.version !== 'number') return;
  const key = `${owner} ${cart.id ?? ''}`;
  const last = r.cartVersions.get(key);
  if (last && cart.version < last.version)
    violation(`${what}: cart version went back from ${last.version} to ${cart.version}`);
  if (last && cart.version === last.version && lines !== last.lines)
    violation(`${what}: cart lines changed from ${last.lines} to ${lines} under the same version ${cart.version}`);
  r.cartVersions.set(key, { version: cart.version, lines });
}

/** Quantity per SKU as a cart shows it: where each add is a line of its own, a SKU's quantity is the sum of its lines. */
export function quantities(m: Readonly<Model>, cart: Cart): Map<string, number> {
  const out = new Map<string, number>();
  for (const { sku, quantity } of cart.items) {
    out.set(sku, m.config.add === 'line-per-add' ? (out.get(sku) ?? 0) + quantity : quantity);
  }
  return out;
}

export function isSorted(keys: readonly string[]): boolean {
  return keys.every((key, i) => i === 0 || keys[i - 1]! <= key);
}

/** The parts of a cart that hold whatever the quantities: owner kind, unique lines, the one cart of an owner. */
export function expectCartShape(m: Readonly<Model>, r: Real, cart: Cart, owner: OwnerKey, what: string): void {
  const session = owner.startsWith('session:') ? m.sessions[Number(owner.slice('session:'.length))] : undefined;
  const kind = session?.user === null ? 'guest' : 'user';
  if (cart.owner !== null && cart.owner !== kind)
    violation(`${what}: expected a ${kind} cart, got owner ${JSON.stringify(cart.owner)}`);
  const skus = cart.items.map((line) => line.sku);
  if (m.config.add === 'increment' && new Set(skus).size !== skus.length)
    violation(`${what}: duplicate lines in ${JSON.stringify(cart.items)}`);
  if (m.config.sortsItems && !isSorted(skus)) violation(`${what}: lines not sorted by SKU: ${JSON.stringify(skus)}`);
  if (cart.id === null) return;
  const known = r.cartIds.get(owner);
  if (known === undefined) r.cartIds.set(owner, cart.id);
  else if (known !== cart.id) violation(`${what}: expected cart ${known}, got a second cart ${cart.id}`);
}

/**
 * The session a request acting through `via` names. Without one, a cookie client gets a new guest session where the
 * target opens one for such a request (a read always does; a write where the target declares it); otherwise the
 * request is refused.
 */
export function sessionFor(
  m: Model,
  client: ClientState,
  via: Via,
  opens: 'read' | 'write',
): SessionState | 'rejected' {
  const resolution = m.resolve(client, via);
  if (resolution.kind === 'session') return resolution.session;
  if (resolution.kind === 'rejected' || via === 'bearer' || !opensSession(m, opens)) return 'rejected';
  const session = m.startSession(null);
  client.cookie = session.key;
  return session;
}

/** Whether a cookie request without a live session opens a guest session on the target. */
export function opensSession(m: Readonly<Model>, opens: 'read' | 'write'): boolean {
  const { identity, guestCarts, writeWithoutSession } = m.config;
  if (identity === 'path' || identity === 'bearer') return false;
  return opens === 'read' || (guestCarts && writeWithoutSession === 'opens-session');
}

export function viaLabel(via: Via): string {
  return via === 'bearer' ? ' via bearer' : '';
}

/** How the target's own clients name themselves when a command does not choose. */
export function primaryVia(m: Readonly<Model>): Via {
  return primaryViaOf(m.config);
}
