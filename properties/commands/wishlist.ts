import type { AsyncCommand } from 'fast-check';
import type { Model } from '../model.ts';
import { actingSession } from './orders.ts';
import { act, expectOk, expectOutcome, viaLabel, violation, type Real, type Via } from './shared.ts';

export type WishlistAction = { kind: 'get' } | { kind: 'put' | 'delete'; productId: string };

/**
 * `GET /wishlist`, `PUT` and `DELETE /wishlist/items/:productId`: the user's wishlist holds exactly what was put and
 * not deleted, sorted by product id where the app declares `sortsItems`; putting an item again keeps its first `addedAt`. A guest is refused.
 */
export class WishlistRequest implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly action: WishlistAction,
  ) {}

  check(m: Readonly<Model>): boolean {
    return actingSession(m, this.client, this.via, this.action.kind !== 'get') !== null;
  }

  async run(m: Model, r: Real): Promise<void> {
    const what = this.toString();
    const { action } = this;
    const session = actingSession(m, this.client, this.via, action.kind !== 'get')!;
    const reply =
      action.kind === 'get'
        ? await act(r, this.client, 'getWishlist', {}, { via: this.via })
        : await act(
            r,
            this.client,
            action.kind === 'put' ? 'wishlistPut' : 'wishlistDelete',
            { productId: action.productId },
            {
              via: this.via,
            },
          );
    m.touch(session, true);
    if (session.user === null) return void expectOutcome(reply, ['unauthenticated'], what);
    const items = expectOk(reply, what);
    const wishlist = m.wishlists.get(session.user) ?? new Map<string, number | null>();
    m.wishlists.set(session.user, wishlist);
    if (action.kind === 'put' && !wishlist.has(action.productId)) wishlist.set(action.productId, null);
    if (action.kind === 'delete') wishlist.delete(action.productId);

    const expected = [...wishlist.keys()].sort();
    const shown = items.map((item) => item.productId);
    // where the app promises no order, the items are compared as a set
    const compared = m.config.sortsItems ? shown : [...shown].sort();
    if (JSON.stringify(compared) !== JSON.stringify(expected))
      violation(
        `${what}: expected items ${JSON.stringify(expected)}${m.config.sortsItems ? ' in this order' : ''}, got ${JSON.stringify(shown)}`,
      );
    for (const item of items) {
      const known = wishlist.get(item.productId);
      if (known === null) wishlist.set(item.productId, item.addedAt);
      else if (known !== item.addedAt)
        violation(`${what}: ${item.productId} was added at ${known}, now shows ${item.addedAt}`);
    }
  }

  toString(): string {
    const { action } = this;
    return action.kind === 'get'
      ? `GetWishlist(c${this.client}${viaLabel(this.via)})`
      : `${action.kind === 'put' ? 'WishlistPut' : 'WishlistDelete'}(c${this.client}${viaLabel(this.via)}, ${action.productId})`;
  }
}

/**
 * The wishlist round trip over two products: the first put, then the second put beside it, then the first deleted
 * while the second stays, then read back, each answer checked as a single request's is. Puts and deletes drawn one by
 * one rarely meet on one product of one signed-in user, and rarer still on two: a put that starts the list afresh, or
 * a delete that takes more than its product, shows only with an item already there.
 */
export class WishlistRoundTrip implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly via: Via,
    readonly productId: string,
    readonly otherProductId: string,
  ) {}

  check(m: Readonly<Model>): boolean {
    const session = actingSession(m, this.client, this.via, true);
    return session !== null && session.user !== null;
  }

  async run(m: Model, r: Real): Promise<void> {
    const { client, via, productId, otherProductId } = this;
    const actions: WishlistAction[] = [
      { kind: 'put', productId },
      { kind: 'put', productId: otherProductId },
      { kind: 'delete', productId },
      { kind: 'get' },
    ];
    for (const action of actions) await new WishlistRequest(client, via, action).run(m, r);
  }

  toString(): string {
    return `WishlistRoundTrip(c${this.client}${viaLabel(this.via)}, ${this.productId}, ${this.otherProductId})`;
  }
}
