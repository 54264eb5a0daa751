import type { PropertyDefinition } from '../property.ts';

export const csrfBinding: PropertyDefinition = {
  name: 'csrf-binding',
  holds:
    "a cookie-authenticated write needs its own session's CSRF token: none, another session's or an old one is refused",
  requires: ['csrf', 'op:addItem', 'op:getCart'],
  commands: ['clients', 'session', 'cart', 'csrf'],
  optional: [{ kinds: ['login'], requires: ['accounts'] }],
  users: 2,
  // another session's token needs two clients with sessions, each having read its token, before the write
  maxCommands: 50,
};
