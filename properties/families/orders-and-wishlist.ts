import type { PropertyDefinition } from '../property.ts';

export const ordersAndWishlist: PropertyDefinition = {
  name: 'orders-and-wishlist',
  holds:
    'checkout turns the whole cart into one order and empties it atomically, even when checkouts race; a retry with the same Idempotency-Key replays that order and another body under it is refused; the wishlist holds exactly what was put',
  // supplied accounts would carry orders from earlier runs: every run needs accounts of its own
  requires: ['fresh-accounts', 'op:checkout', 'op:listOrders'],
  commands: ['clients', 'session', 'cart', 'login', 'bearer', 'orders'],
  optional: [{ kinds: ['wishlist'], requires: ['op:getWishlist'] }],
  weights: { cart: 3, login: 3, orders: 3, wishlist: 4 },
  maxCommands: 30,
  users: 2,
};
