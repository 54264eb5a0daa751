import type { PropertyDefinition } from '../property.ts';

export const mergeCorrectness: PropertyDefinition = {
  name: 'merge-correctness',
  holds:
    'on login the guest cart merges into the user cart by SKU under the merge strategy, with no duplicate lines, the guest cart gone, and nothing merged twice',
  requires: ['accounts', 'guest-carts', 'op:login', 'op:addItem', 'op:getCart'],
  commands: ['clients', 'session', 'cart', 'login', 'logout'],
  weights: { cart: 3, login: 3 },
  users: 1,
  // a duplicate line needs a SKU in the user's cart and again in a guest cart before the login
  maxCommands: 60,
};
