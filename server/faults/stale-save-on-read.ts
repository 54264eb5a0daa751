import { saveCopy } from './cart-in-session.ts';
import { storeDecorator, storeRoundTrip, type Fault } from './fault.ts';

export const staleSaveOnRead: Fault = {
  id: 'stale-save-on-read',
  description: 'every request, reads too, writes back the copy of the session it loaded',
  symptom: 'a write is undone by a read that finished later',
  source: 'woocommerce#11062, Cm_RedisSession#93',
  multiInstance: false,
  apply: storeDecorator((inner) => ({
    async getOrCreateCart(owner, newCartId) {
      const loaded = await inner.getOrCreateCart(owner, newCartId);
      await storeRoundTrip();
      await saveCopy(inner, owner, newCartId, loaded);
      return loaded;
    },
  })),
};
