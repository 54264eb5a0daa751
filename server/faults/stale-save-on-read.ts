import { saveCopy } from './cart-in-session.ts';
import { decorateStore } from './decorate-store.ts';
import { storeRoundTrip, type Fault } from './fault.ts';

export const staleSaveOnRead: Fault = {
  id: 'stale-save-on-read',
  description: 'every request, reads too, writes back the copy of the session it loaded',
  symptom: 'a write is undone by a read that finished later',
  source: 'woocommerce#11062, Cm_RedisSession#93',
  multiInstance: false,
  apply(parts) {
    const inner = parts.store;
    return {
      ...parts,
      store: decorateStore(inner, {
        async getOrCreateCart(owner, newCartId) {
          const loaded = await inner.getOrCreateCart(owner, newCartId);
          await storeRoundTrip();
          await saveCopy(inner, owner, newCartId, loaded);
          return loaded;
        },
      }),
    };
  },
};
