import type { Cart, CartLine, CartOwner, Store } from '../stores/store.ts';
import { storeDecorator, storeRoundTrip, type Fault } from './fault.ts';

/** Writes a whole cart copy back line by line, as a session blob saved at the end of a request would. */
export async function saveCopy(store: Store, owner: CartOwner, newCartId: string, copy: Cart): Promise<Cart> {
  const current = await store.getOrCreateCart(owner, newCartId);
  const keep = new Set(copy.items.map((line) => line.sku));
  let saved = current;
  for (const line of current.items)
    if (!keep.has(line.sku)) saved = await store.removeCartLine(owner, newCartId, line.sku);
  for (const line of copy.items) saved = await store.setCartLine(owner, newCartId, line);
  return saved;
}

function withLine(cart: Cart, line: CartLine): Cart {
  const items = cart.items.filter((item) => item.sku !== line.sku);
  if (line.quantity > 0) items.push(line);
  return { ...cart, items };
}

export const cartInSession: Fault = {
  id: 'cart-in-session',
  description: 'keeps the cart inside the session blob and saves the whole blob at the end of each request',
  symptom: 'two parallel adds both answer 200, one item is gone',
  source: 'express-session resave, connect-redis#75, koa-session whole-blob save',
  multiInstance: false,
  apply: storeDecorator((inner) => {
    async function modify(owner: CartOwner, newCartId: string, change: (cart: Cart) => Cart | null) {
      const loaded = await inner.getOrCreateCart(owner, newCartId);
      await storeRoundTrip();
      const changed = change(loaded);
      return changed && saveCopy(inner, owner, newCartId, changed);
    }
    return {
      addToCart: (owner, newCartId, line, max) =>
        modify(owner, newCartId, (cart) => {
          const quantity = (cart.items.find((item) => item.sku === line.sku)?.quantity ?? 0) + line.quantity;
          return quantity > max ? null : withLine(cart, { sku: line.sku, quantity });
        }),
      setCartLine: async (owner, newCartId, line) => (await modify(owner, newCartId, (cart) => withLine(cart, line)))!,
      removeCartLine: async (owner, newCartId, sku) =>
        (await modify(owner, newCartId, (cart) => withLine(cart, { sku, quantity: 0 })))!,
    };
  }),
};
