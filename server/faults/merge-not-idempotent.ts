import type { CartLine, CartOwner } from '../stores/store.ts';
import { storeDecorator, type Fault } from './fault.ts';

export const mergeNotIdempotent: Fault = {
  id: 'merge-not-idempotent',
  description: 'the guest cart survives the merge and is merged again later',
  symptom: 'quantities grow with every login or request',
  source: 'spree#11682',
  multiInstance: false,
  apply: storeDecorator((inner) => {
    const survivingGuestLines = new Map<CartOwner, CartLine[]>();
    return {
      async mergeCarts(guest, user, newCartId, strategy, max) {
        const guestLines = (await inner.getOrCreateCart(guest, newCartId)).items;
        const merged = await inner.mergeCarts(guest, user, newCartId, strategy, max);
        if (guestLines.length > 0) survivingGuestLines.set(user, guestLines);
        return merged;
      },
      async getOrCreateCart(owner, newCartId) {
        for (const line of survivingGuestLines.get(owner) ?? []) {
          await inner.addToCart(owner, newCartId, line, Number.MAX_SAFE_INTEGER);
        }
        return inner.getOrCreateCart(owner, newCartId);
      },
    };
  }),
};
