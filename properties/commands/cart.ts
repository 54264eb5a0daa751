import type { AsyncCommand } from 'fast-check';
import type { ClientState, Model, OwnerKey, SessionState } from '../model.ts';
import type { ArgsOf } from '../../adapters/types.ts';
import {
  act,
  expectCart,
  expectOk,
  expectOutcome,
  opensSession,
  sessionFor,
  viaLabel,
  type Expected,
  type Real,
  type Via,
} from './shared.ts';

/** How a target refuses a request that names no session it may act for. */
export const refusedIdentity: Expected[] = ['unauthenticated', 'forbidden', 'csrf'];

/** `GET /cart`: the cart of the current identity, opening a guest session for a cookie client without one. */
export class GetCart implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    return client !== undefined && (this.via === 'cookie' || client.access !== null);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const result = await act(r, this.client, 'getCart', {}, { via: this.via });
    const session = sessionFor(m, state, this.via, 'read');
    if (session === 'rejected') return void expectOutcome(result, ['unauthenticated'], what);
    if (session.user === null && !m.config.guestCarts) {
      expectOutcome(result, ['unauthenticated', 'forbidden'], what);
      return m.touch(session, false);
    }
    expectCart(m, r, expectOk(result, what), m.ownerOf(session), what);
    m.touch(session, true);
  }

  toString(): string {
    return `GetCart(c${this.client}${viaLabel(this.via)})`;
  }
}

/**
 * Adds exactly the declared most one add may carry (`maxAddQuantity`), then one more than that: the first is taken
 * like any add, the second is refused as invalid and changes nothing, so a limit off by one either way shows.
 */
export class AddAtLimit implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly sku: string,
  ) {}

  #add(quantity: number): WriteCart {
    return new WriteCart(this.client, this.via, { kind: 'add', sku: this.sku, quantity });
  }

  check(m: Readonly<Model>): boolean {
    const limit = m.config.maxAddQuantity;
    return limit !== undefined && this.#add(limit).check(m);
  }

  async run(m: Model, r: Real): Promise<void> {
    const limit = m.config.maxAddQuantity!;
    await this.#add(limit).run(m, r);
    const acting = writingSession(m, m.clients[this.client]!, this.via);
    // the first add was refused for want of a session: it said so, and there is no cart to hold a limit
    if (acting === null || (acting.user === null && !m.config.guestCarts)) return;
    const over = { kind: 'add', sku: this.sku, quantity: limit + 1 } as const;
    expectOutcome(await sendWrite(r, this.client, over, this.via), ['invalid'], `${this.toString()}: ${limit + 1}`);
    m.touch(acting, false);
  }

  toString(): string {
    return `AddAtLimit(c${this.client}${viaLabel(this.via)}, ${this.sku})`;
  }
}

/**
 * Adds a product the app declares it refuses (`refusedSkus`: one it does not sell, one malformed), from a session that
 * may write: the add must be refused the way the declaration says, and the cart stays as it was (the next read shows
 * it). A write without a session or a CSRF token is other commands' business, so this one waits for a session.
 */
export class AddRefusedSku implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly pick: number,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    const refused = m.config.refusedSkus ?? [];
    if (!client || refused.length === 0) return false;
    if (this.via === 'cookie' && !m.holdsCsrf(client)) return false;
    const resolution = m.resolve(client, this.via);
    return resolution.kind === 'session' && (resolution.session.user !== null || m.config.guestCarts);
  }

  async run(m: Model, r: Real): Promise<void> {
    const refused = m.config.refusedSkus!;
    const { sku, outcome } = refused[this.pick % refused.length]!;
    const result = await act(r, this.client, 'addItem', { sku, quantity: 1 }, { via: this.via });
    expectOutcome(result, [outcome], `${this.toString()} -> ${JSON.stringify(sku)}`);
    const resolution = m.resolve(m.clients[this.client]!, this.via);
    if (resolution.kind === 'session') m.touch(resolution.session, false);
  }

  toString(): string {
    return `AddRefusedSku(c${this.client}${viaLabel(this.via)}, #${this.pick})`;
  }
}

/**
 * Takes a line to the most it may hold (`maxLineQuantity`) and past it: sets it one short, adds one, which must be
 * taken like any add, then adds one more, which the app must refuse or cap as it declares (`pastLineLimit`). Either
 * way the line then holds exactly the limit.
 */
export class FillLine implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly sku: string,
  ) {}

  #write(write: CartWrite): WriteCart {
    return new WriteCart(this.client, this.via, write);
  }

  check(m: Readonly<Model>): boolean {
    const limit = m.config.maxLineQuantity;
    return (
      m.config.pastLineLimit !== undefined && this.#write({ kind: 'set', sku: this.sku, quantity: limit - 1 }).check(m)
    );
  }

  async run(m: Model, r: Real): Promise<void> {
    const limit = m.config.maxLineQuantity;
    await this.#write({ kind: 'set', sku: this.sku, quantity: limit - 1 }).run(m, r);
    const acting = writingSession(m, m.clients[this.client]!, this.via);
    const owner = acting === null ? null : m.ownerOf(acting);
    // the set was refused for want of a session or a cart, as WriteCart checked: there is no line to fill
    if (acting === null || owner === null || m.carts.get(owner)?.get(this.sku) !== limit - 1) return;
    await this.#write({ kind: 'add', sku: this.sku, quantity: 1 }).run(m, r);
    const what = `${this.toString()}: past ${limit}`;
    const past = await sendWrite(r, this.client, { kind: 'add', sku: this.sku, quantity: 1 }, this.via);
    if (m.config.pastLineLimit === 'refused') {
      expectOutcome(past, ['invalid'], what);
      return m.touch(acting, false);
    }
    expectCart(m, r, expectOk(past, what), owner, what);
    m.touch(acting, true);
  }

  toString(): string {
    return `FillLine(c${this.client}${viaLabel(this.via)}, ${this.sku})`;
  }
}

export type CartWrite =
  | { kind: 'add'; sku: string; quantity: number }
  | { kind: 'set'; sku: string; quantity: number }
  | { kind: 'remove'; sku: string };

/** Sends a cart write as the operation it is. */
export function sendWrite(r: Real, client: number, write: CartWrite, via: Via) {
  if (write.kind === 'remove') return act(r, client, 'removeItem', { sku: write.sku }, { via });
  const line: ArgsOf<'addItem'> = { sku: write.sku, quantity: write.quantity };
  return act(r, client, write.kind === 'add' ? 'addItem' : 'setQuantity', line, { via });
}

export function applyWrite(cart: Map<string, number>, write: CartWrite): void {
  if (write.kind === 'add') cart.set(write.sku, (cart.get(write.sku) ?? 0) + write.quantity);
  else if (write.kind === 'set' && write.quantity > 0) cart.set(write.sku, write.quantity);
  else cart.delete(write.sku);
}

/**
 * Whether adding `quantity` keeps the line within the declared most a line may hold. Targets differ past it (one
 * caps, another refuses), so histories stay below it.
 */
export function fitsLine(m: Readonly<Model>, owner: OwnerKey | null, sku: string, quantity: number): boolean {
  const held = owner === null ? 0 : (m.carts.get(owner)?.get(sku) ?? 0);
  return held + quantity <= m.config.maxLineQuantity;
}

/** The session a write acts for: the one the request names, or a new guest session where a write opens one. */
export function writingSession(m: Model, client: ClientState, via: Via): SessionState | null {
  if (via === 'cookie' && opensSession(m, 'write')) {
    const session = sessionFor(m, client, via, 'write');
    return session === 'rejected' ? null : session;
  }
  const resolution = m.resolve(client, via);
  return resolution.kind === 'session' ? resolution.session : null;
}

/**
 * Adds, sets and removes a cart line. A write needs a session the client already holds (and, by cookie, its CSRF
 * token) unless the target declares that a write opens one; otherwise it is refused and changes nothing. Setting or
 * removing a line the cart lacks may be refused as not found, changing nothing: both designs are common.
 */
export class WriteCart implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly write: CartWrite,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    if (!client) return false;
    const resolution = m.resolve(client, this.via);
    const owner = resolution.kind === 'session' ? m.ownerOf(resolution.session) : null;
    if (this.write.kind === 'add' && !fitsLine(m, owner, this.write.sku, this.write.quantity)) return false;
    if (this.via === 'bearer') return client.access !== null;
    // a live cookie session without its CSRF token is the CSRF command's business
    return m.cookieSession(client) === null || m.holdsCsrf(client);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const result = await sendWrite(r, this.client, this.write, this.via);
    const acting = writingSession(m, state, this.via);
    if (acting === null || (acting.user === null && !m.config.guestCarts))
      return void expectOutcome(result, refusedIdentity, what);
    const owner = m.ownerOf(acting);
    const absent = this.write.kind !== 'add' && !m.carts.get(owner)?.has(this.write.sku);
    if (absent && result.outcome === 'not-found') return m.touch(acting, false);
    const cart = expectOk(result, what);
    applyWrite(m.cart(owner), this.write);
    expectCart(m, r, cart, owner, what);
    m.touch(acting, true);
  }

  toString(): string {
    const { write } = this;
    const args = write.kind === 'remove' ? write.sku : `${write.sku} x${write.quantity}`;
    return `${write.kind === 'add' ? 'AddItem' : write.kind === 'set' ? 'SetItem' : 'RemoveItem'}(c${this.client}${viaLabel(this.via)}, ${args})`;
  }
}
