import type { PropertyDefinition } from '../property.ts';

export const noDuplicateCarts: PropertyDefinition = {
  name: 'no-duplicate-carts',
  holds: 'at most one cart per guest session and one per user, however many requests race',
  requires: ['op:getCart', 'op:addItem'],
  commands: ['clients', 'session', 'parallel'],
  optional: [{ kinds: ['login', 'bearer'], requires: ['accounts'] }],
  users: 1,
  maxCommands: 15,
};
