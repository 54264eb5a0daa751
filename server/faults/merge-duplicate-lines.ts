import { sortLines, type Cart, type CartLine, type CartOwner } from '../stores/store.ts';
import { storeDecorator, type Fault } from './fault.ts';

export const mergeDuplicateLines: Fault = {
  id: 'merge-duplicate-lines',
  description: 'merge appends guest lines instead of combining by SKU',
  symptom: 'two lines with the same SKU after login',
  source: 'magento2#21375, magento2#7679',
  multiInstance: false,
  apply: storeDecorator((inner) => {
    // Guest lines appended beside a user line of the same SKU, shown until the user's line changes.
    const appended = new Map<CartOwner, CartLine[]>();
    function show(owner: CartOwner, cart: Cart): Cart {
      const extra = (appended.get(owner) ?? []).filter((line) => cart.items.some((item) => item.sku === line.sku));
      appended.set(owner, extra);
      return { ...cart, items: sortLines([...cart.items, ...extra]) };
    }
    return {
      async mergeCarts(guest, user, newCartId, _strategy, max) {
        const guestLines = (await inner.getOrCreateCart(guest, newCartId)).items;
        const userSkus = new Set((await inner.getOrCreateCart(user, newCartId)).items.map((line) => line.sku));
        const merged = await inner.mergeCarts(guest, user, newCartId, 'keep-user', max);
        appended.set(user, [...(appended.get(user) ?? []), ...guestLines.filter((line) => userSkus.has(line.sku))]);
        return show(user, merged);
      },
      getOrCreateCart: async (owner, newCartId) => show(owner, await inner.getOrCreateCart(owner, newCartId)),
      async addToCart(owner, newCartId, line, max) {
        const cart = await inner.addToCart(owner, newCartId, line, max);
        return cart && show(owner, cart);
      },
    };
  }),
};
