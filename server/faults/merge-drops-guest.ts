import { storeDecorator, type Fault } from './fault.ts';

export const mergeDropsGuest: Fault = {
  id: 'merge-drops-guest',
  description: 'login switches to the user cart without merging',
  symptom: 'guest items vanish at login',
  source: 'shopsys#588, seed (lost cart items after login)',
  multiInstance: false,
  apply: storeDecorator((inner) => ({
    mergeCarts: (_guest, user, newCartId) => inner.getOrCreateCart(user, newCartId),
  })),
};
