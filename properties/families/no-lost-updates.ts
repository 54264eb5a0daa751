import type { PropertyDefinition } from '../property.ts';

export const noLostUpdates: PropertyDefinition = {
  name: 'no-lost-updates',
  holds: 'N concurrent adds of quantity q leave the line at N*q, and a read-only request never writes',
  requires: ['op:addItem', 'op:getCart'],
  commands: ['clients', 'session', 'cart', 'parallel'],
  optional: [{ kinds: ['login', 'bearer'], requires: ['accounts'] }],
  users: 1,
};
