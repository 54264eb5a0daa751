import { randomToken } from '../ids.ts';
import { guestSessionOf, type CartOwner, type Store } from '../stores/store.ts';
import { storeDecorator, storeRoundTrip, type Fault } from './fault.ts';

/**
 * Where a second insert of `owner`'s cart lands when nothing keeps an owner to one cart: a user cart under a
 * suffixed key, a guest cart under a copy of its guest session (the store only creates a guest cart for a live
 * session), which nothing ends when the guest signs in or out.
 */
export async function anotherCart(store: Store, owner: CartOwner): Promise<CartOwner> {
  const guestSession = guestSessionOf(owner);
  if (guestSession === null) return `${owner}#${randomToken(6)}` as CartOwner;
  const session = await store.findSession(guestSession);
  if (!session) return owner;
  const copy = { ...session, id: randomToken() };
  await store.createSession(randomToken(32), copy);
  return `guest:${copy.id}`;
}

export const racyCartCreate: Fault = {
  id: 'racy-cart-create',
  description: 'get-or-create cart is read, await, insert',
  symptom: 'two carts for one session or user; items split between them',
  source: 'seed (cart service created several carts), Broadleaf#2478',
  multiInstance: false,
  apply: storeDecorator((inner) => {
    // Which stored cart an owner's requests reach; two racing creators each insert one, the last one wins.
    const cartOf = new Map<CartOwner, CartOwner>();
    async function locate(owner: CartOwner): Promise<CartOwner> {
      const known = cartOf.get(owner);
      if (known) return known;
      await storeRoundTrip();
      const created = await anotherCart(inner, owner);
      cartOf.set(owner, created);
      return created;
    }
    return {
      getOrCreateCart: async (owner, newCartId) => inner.getOrCreateCart(await locate(owner), newCartId),
      addToCart: async (owner, newCartId, line, max) => inner.addToCart(await locate(owner), newCartId, line, max),
      setCartLine: async (owner, newCartId, line) => inner.setCartLine(await locate(owner), newCartId, line),
      removeCartLine: async (owner, newCartId, sku) => inner.removeCartLine(await locate(owner), newCartId, sku),
      mergeCarts: async (guest, user, newCartId, strategy, max) =>
        inner.mergeCarts(await locate(guest), await locate(user), newCartId, strategy, max),
      checkout: async (request) => inner.checkout({ ...request, owner: await locate(request.owner) }),
    };
  }),
};
