import type { AsyncCommand } from 'fast-check';
import { offers, type OpResult } from '../../adapters/engine.ts';
import type { CartLine } from '../../adapters/types.ts';
import { linesOf, type Model, type OrderState, type SessionState } from '../model.ts';
import { WriteCart } from './cart.ts';
import { act, expectOk, expectOutcome, viaLabel, violation, type Real, type Via } from './shared.ts';

/** The signed-in (or guest) session a request acts for, if it may send an unsafe request through `via`. */
export function actingSession(m: Readonly<Model>, client: number, via: Via, unsafe: boolean): SessionState | null {
  const state = m.clients[client];
  if (!state) return null;
  const resolution = m.resolve(state, via);
  if (resolution.kind !== 'session') return null;
  return via === 'bearer' || !unsafe || m.holdsCsrf(state) ? resolution.session : null;
}

/** An order's lines by SKU: an order, like a cart, is a set of lines, whatever order the target lists them in. */
function bySku(lines: CartLine[]): CartLine[] {
  return [...lines].sort((x, y) => (x.sku < y.sku ? -1 : x.sku > y.sku ? 1 : 0));
}

function sameLines(a: CartLine[], b: CartLine[]): boolean {
  return JSON.stringify(bySku(a)) === JSON.stringify(bySku(b));
}

function checkout(r: Real, client: number, via: Via, key: number | null, note: number) {
  return act(r, client, 'checkout', { idempotencyKey: key === null ? null : `order-key-${key}`, note }, { via });
}

/** What the model expects of one checkout answer that is not a new order: a replay, a conflict, or nothing to order. */
function expectKnownOutcome(
  reply: OpResult<'checkout'>,
  earlier: OrderState | undefined,
  variant: number,
  what: string,
): 'replayed' | 'conflict' {
  if (earlier && earlier.variant !== variant) {
    expectOutcome(reply, ['idempotency-conflict'], what);
    return 'conflict';
  }
  const order = expectOk(reply, what);
  if (order.id !== earlier!.id || !sameLines(order.items, earlier!.items)) {
    violation(
      `${what}: a retry with the same Idempotency-Key must replay order ${earlier!.id} ${JSON.stringify(earlier!.items)}, got ${JSON.stringify(reply.body)}`,
    );
  }
  return 'replayed';
}

function expectEmpty(reply: OpResult<'checkout'>, what: string): void {
  expectOutcome(reply, ['cart-empty'], what);
}

/**
 * `POST /orders`, optionally with an Idempotency-Key: the user's cart becomes an order and empties; a retry with the
 * same key and body replays the first order (the cart untouched); the same key with another body is a conflict; an
 * empty cart is refused. A guest is refused. A new order then shows in the order history, after the earlier ones.
 */
export class Checkout implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly key: number | null,
    readonly variant: number,
  ) {}

  check(m: Readonly<Model>): boolean {
    return actingSession(m, this.client, this.via, true) !== null;
  }

  async run(m: Model, r: Real): Promise<void> {
    const what = this.toString();
    const session = actingSession(m, this.client, this.via, true)!;
    const reply = await checkout(r, this.client, this.via, this.key, this.variant);
    m.touch(session, true);
    if (session.user === null) return void expectOutcome(reply, ['unauthenticated'], what);
    const orders = m.orders.get(session.user) ?? [];
    m.orders.set(session.user, orders);
    const earlier = this.key === null ? undefined : orders.find((order) => order.key === this.key);
    if (earlier) {
      expectKnownOutcome(reply, earlier, this.variant, what);
      return;
    }
    const cart = m.carts.get(m.ownerOf(session));
    const items = linesOf(cart);
    if (items.length === 0) return expectEmpty(reply, what);
    const made = expectOk(reply, what);
    const id = made.id;
    if (orders.some((order) => order.id === id))
      violation(`${what}: expected a new order, got ${JSON.stringify(reply.body)}`);
    if (!sameLines(made.items, items))
      violation(`${what}: the order must hold the cart ${JSON.stringify(items)}, got ${JSON.stringify(made.items)}`);
    orders.push({ id, items, key: this.key, variant: this.variant });
    cart!.clear();
    // the new order joins the history at once, after every earlier one
    const history = new ListOrders(this.client, this.via);
    if (offers(r.adapter, 'listOrders') && history.check(m)) await history.run(m, r);
  }

  toString(): string {
    return `Checkout(c${this.client}${viaLabel(this.via)}${this.key === null ? '' : `, key ${this.key}`}${this.variant ? `, body ${this.variant}` : ''})`;
  }
}

/**
 * A signed-in shopper's round: a line into the cart, then a checkout. A user's second and third orders are rare in
 * free generation (each needs a sign-in, a CSRF token and a filled cart first); this makes them common, so the order
 * history is seen growing. With an Idempotency-Key the checkout is sent twice, as by a client whose first answer was
 * lost: the second must replay the order, not make another or find the cart empty. A third sends another body under
 * the same key, which must be refused.
 */
export class Purchase implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly sku: string,
    readonly key: number | null,
  ) {}

  #add(): WriteCart {
    return new WriteCart(this.client, this.via, { kind: 'add', sku: this.sku, quantity: 1 });
  }

  check(m: Readonly<Model>): boolean {
    const session = actingSession(m, this.client, this.via, true);
    return session !== null && session.user !== null && this.#add().check(m);
  }

  async run(m: Model, r: Real): Promise<void> {
    await this.#add().run(m, r);
    const checkout = new Checkout(this.client, this.via, this.key, 0);
    if (!checkout.check(m)) return;
    await checkout.run(m, r);
    if (this.key === null) return;
    if (checkout.check(m)) await checkout.run(m, r);
    const otherBody = new Checkout(this.client, this.via, this.key, 1);
    if (otherBody.check(m)) await otherBody.run(m, r);
  }

  toString(): string {
    return `Purchase(c${this.client}${viaLabel(this.via)}, ${this.sku}${this.key === null ? '' : `, key ${this.key}, retried, then another body`})`;
  }
}

/**
 * Several checkouts of one user at once, each with or without one Idempotency-Key. Whatever the interleaving, at
 * most one new order is made and it holds the whole cart; every answer under one fresh key is the same (that order,
 * or an empty cart); the cart ends empty.
 */
export class ParallelCheckout implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly keys: (number | null)[],
  ) {}

  check(m: Readonly<Model>): boolean {
    const session = actingSession(m, this.client, this.via, true);
    return session !== null && session.user !== null;
  }

  async run(m: Model, r: Real): Promise<void> {
    const what = this.toString();
    const session = actingSession(m, this.client, this.via, true)!;
    const user = session.user!;
    const orders = m.orders.get(user) ?? [];
    m.orders.set(user, orders);
    const cart = m.carts.get(m.ownerOf(session));
    const items = linesOf(cart);
    const replies = await Promise.all(this.keys.map((key) => checkout(r, this.client, this.via, key, 0)));
    m.touch(session, true);

    /** New orders by id, with the key they were made under; and what each fresh key answered. */
    const made = new Map<string, number | null>();
    const outcomes = new Map<number, Set<string>>();
    const unkeyedIds: string[] = [];
    for (const [i, key] of this.keys.entries()) {
      const reply = replies[i]!;
      const label = `${what}: #${i}`;
      const earlier = key === null ? undefined : orders.find((order) => order.key === key);
      if (earlier) {
        expectKnownOutcome(reply, earlier, 0, label);
        continue;
      }
      let outcome = 'an empty cart';
      if (reply.outcome === 'cart-empty') {
        if (key === null) continue;
      } else {
        const order = expectOk(reply, label);
        outcome = order.id;
        if (!sameLines(order.items, items))
          violation(
            `${label}: the order must hold the cart ${JSON.stringify(items)}, got ${JSON.stringify(order.items)}`,
          );
        made.set(outcome, key);
        if (key === null) unkeyedIds.push(outcome);
      }
      if (key !== null) outcomes.set(key, (outcomes.get(key) ?? new Set()).add(outcome));
    }
    for (const [key, seen] of outcomes)
      if (seen.size > 1) violation(`${what}: key ${key} answered ${[...seen].join(' and ')}`);
    if (new Set(unkeyedIds).size !== unkeyedIds.length || unkeyedIds.some((id) => made.get(id) !== null)) {
      violation(`${what}: requests without a key shared an order: ${unkeyedIds.join(', ')}`);
    }
    // retries of keys already used only replay; any other request may order the cart
    const mayOrder = this.keys.some((key) => key === null || !orders.some((order) => order.key === key));
    const expected = items.length > 0 && mayOrder ? 1 : 0;
    if (made.size !== expected) {
      violation(
        `${what}: expected ${expected} new order${expected === 1 ? ' holding the whole cart' : ''}, got ${made.size}: ${[...made.keys()].join(', ') || 'none'}`,
      );
    }
    for (const [id, key] of made) orders.push({ id, items, key, variant: 0 });
    if (made.size > 0) cart!.clear();
  }

  toString(): string {
    return `ParallelCheckout(c${this.client}${viaLabel(this.via)}, keys [${this.keys.map((key) => (key === null ? '-' : key)).join(', ')}])`;
  }
}

/** `GET /orders`: exactly the user's orders, oldest first, each as it was made. */
export class ListOrders implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
  ) {}

  check(m: Readonly<Model>): boolean {
    return actingSession(m, this.client, this.via, false) !== null;
  }

  async run(m: Model, r: Real): Promise<void> {
    const what = this.toString();
    const session = actingSession(m, this.client, this.via, false)!;
    const reply = await act(r, this.client, 'listOrders', {}, { via: this.via });
    m.touch(session, true);
    if (session.user === null) return void expectOutcome(reply, ['unauthenticated'], what);
    const expected = (m.orders.get(session.user) ?? []).map(({ id, items }) => ({ id, items: bySku(items) }));
    const shown = expectOk(reply, what).map(({ id, items }) => ({ id, items: bySku(items) }));
    if (JSON.stringify(shown) !== JSON.stringify(expected))
      violation(`${what}: expected orders ${JSON.stringify(expected)}, got ${JSON.stringify(shown)}`);
  }

  toString(): string {
    return `ListOrders(c${this.client}${viaLabel(this.via)})`;
  }
}
