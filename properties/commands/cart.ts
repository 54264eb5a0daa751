import type { AsyncCommand } from 'fast-check';
import { ownerOf, type Model } from '../model.ts';
import type { ArgsOf } from '../../adapters/types.ts';
import { act, expectCart, expectOk, expectOutcome, sessionFor, viaLabel, type Real, type Via } from './shared.ts';

/** `GET /cart`: the cart of the current identity, creating a guest session for a client without one. */
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
    const session = sessionFor(m, state, this.via);
    if (session === 'rejected') return void expectOutcome(result, ['unauthenticated'], what);
    expectCart(m, r, expectOk(result, what), ownerOf(session), what);
    m.touch(session, true);
  }

  toString(): string {
    return `GetCart(c${this.client}${viaLabel(this.via)})`;
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
 * `POST /cart/items`, `PUT` and `DELETE /cart/items/:sku`. A write needs a session the client already holds (and, by
 * cookie, its CSRF token); without one it is refused with 401 or 403 and changes nothing.
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
    if (this.via === 'bearer') return client.access !== null;
    // a live cookie session without its CSRF token is the CSRF command's business
    return m.cookieSession(client) === null || m.holdsCsrf(client);
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const result = await sendWrite(r, this.client, this.write, this.via);
    const resolution = m.resolve(state, this.via);
    if (resolution.kind !== 'session')
      return void expectOutcome(result, ['unauthenticated', 'forbidden', 'csrf'], what);
    const cart = expectOk(result, what);
    const owner = ownerOf(resolution.session);
    applyWrite(m.cart(owner), this.write);
    expectCart(m, r, cart, owner, what);
    m.touch(resolution.session, true);
  }

  toString(): string {
    const { write } = this;
    const args = write.kind === 'remove' ? write.sku : `${write.sku} x${write.quantity}`;
    return `${write.kind === 'add' ? 'AddItem' : write.kind === 'set' ? 'SetItem' : 'RemoveItem'}(c${this.client}${viaLabel(this.via)}, ${args})`;
  }
}
