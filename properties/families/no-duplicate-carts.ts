import type { PropertyDefinition } from '../property.ts';

export const noDuplicateCarts: PropertyDefinition = {
  name: 'no-duplicate-carts',
  holds: 'at most one cart per guest session and one per user, however many requests race',
  requires: [],
  commands: ['clients', 'session', 'parallel'],
  optional: [{ kinds: ['login', 'bearer'], requires: ['accounts'] }],
  users: 1,
  maxCommands: 15,
};
