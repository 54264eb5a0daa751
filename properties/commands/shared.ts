import type { ContractClient, Reply } from '../client.ts';
import type { History } from '../history.ts';
import { linesOf, type ClientState, type Model, type OwnerKey, type SessionState } from '../model.ts';
import type { Credentials, Target } from '../targets.ts';

/** The system under test as one run sees it: the clients, and what the model's abstract names stand for. */
export interface Real {
  target: Target;
  history: History;
  route: () => string;
  accounts: Credentials[];
  clients: ContractClient[];
  /** Public session id of each model session. */
  sessionIds: Map<number, string>;
  seenSessionIds: Set<string>;
  csrf: Map<number, string>;
  cartIds: Map<OwnerKey, string>;
  /** Refresh token of each generation of each session's family. */
  refreshTokens: Map<number, string[]>;
  /** Wall-clock time of each family's last rotation, to tell a slow run from a grace-window answer. */
  rotatedAtWall: Map<number, number>;
  /** The server's swept-sessions count at the last check, when the run sweeps. */
  sweptBaseline: number | null;
}

export type Via = 'cookie' | 'bearer';

/** A server answer that the model does not allow. */
export class PropertyViolation extends Error {
  override name = 'PropertyViolation';
}

export function violation(message: string): never {
  throw new PropertyViolation(message);
}

function replyText(reply: Reply): string {
  return `${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`;
}

export function expectStatus(reply: Reply, allowed: number[], what: string): void {
  if (!allowed.includes(reply.status)) violation(`${what}: expected ${allowed.join(' or ')}, got ${replyText(reply)}`);
}

export function clientPair(m: Model, r: Real, index: number): [ClientState, ContractClient] {
  return [m.clients[index]!, r.clients[index]!];
}

/** Checks a session view against the model session it must describe, learning its public id the first time. */
export function expectSessionView(m: Model, r: Real, body: any, session: SessionState, what: string): void {
  if (typeof body?.id !== 'string' || typeof body?.csrfToken !== 'string')
    violation(`${what}: not a session view: ${JSON.stringify(body)}`);
  const known = r.sessionIds.get(session.key);
  if (known === undefined) {
    if (r.seenSessionIds.has(body.id))
      violation(`${what}: expected a new session, got the earlier session id ${body.id}`);
    r.sessionIds.set(session.key, body.id);
    r.seenSessionIds.add(body.id);
  } else if (body.id !== known) {
    violation(
      `${what}: expected session ${known}, got ${body.id}${r.seenSessionIds.has(body.id) ? ' (an earlier session)' : ' (a new one)'}`,
    );
  }
  const email = session.user === null ? null : r.accounts[session.user]!.email;
  const shown = body.user === null ? null : body.user?.email;
  if (shown !== email) violation(`${what}: expected user ${email ?? 'null (guest)'}, got ${JSON.stringify(body.user)}`);
  r.csrf.set(session.key, body.csrfToken);
}

/** Checks a cart body against the model's cart of `owner`: same lines, no duplicate SKUs, the one cart id. */
export function expectCart(m: Model, r: Real, body: any, owner: OwnerKey, what: string): void {
  expectCartShape(r, body, owner, what);
  const expected = linesOf(m.carts.get(owner));
  const actual = (body.items as { sku: string; quantity: number }[]).map(({ sku, quantity }) => ({ sku, quantity }));
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    violation(`${what}: expected cart ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** The parts of a cart answer that hold whatever the quantities: owner kind, unique lines, the one cart of an owner. */
export function expectCartShape(r: Real, body: any, owner: OwnerKey, what: string): void {
  if (typeof body?.id !== 'string' || !Array.isArray(body?.items))
    violation(`${what}: not a cart: ${JSON.stringify(body)}`);
  const kind = owner.startsWith('guest:') ? 'guest' : 'user';
  if (body.owner !== kind) violation(`${what}: expected a ${kind} cart, got owner ${JSON.stringify(body.owner)}`);
  const skus = (body.items as { sku: string }[]).map((line) => line.sku);
  if (new Set(skus).size !== skus.length) violation(`${what}: duplicate lines in ${JSON.stringify(body.items)}`);
  const known = r.cartIds.get(owner);
  if (known === undefined) r.cartIds.set(owner, body.id);
  else if (known !== body.id) violation(`${what}: expected cart ${known}, got a second cart ${body.id}`);
}

/** The session a request acting through `via` names, or a new guest session for a cookie client without one. */
export function sessionFor(m: Model, client: ClientState, via: Via): SessionState | 'rejected' {
  const resolution = m.resolve(client, via);
  if (resolution.kind === 'session') return resolution.session;
  if (resolution.kind === 'rejected' || via === 'bearer') return 'rejected';
  const session = m.startSession(null);
  client.cookie = session.key;
  return session;
}

export function viaLabel(via: Via): string {
  return via === 'bearer' ? ' via bearer' : '';
}
