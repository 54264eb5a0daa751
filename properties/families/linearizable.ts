import type { PropertyDefinition } from '../property.ts';

export const linearizable: PropertyDefinition = {
  name: 'linearizable',
  kind: 'parallel',
  holds:
    'the answers to operations run at once (sign-in, sign-out, session and cart reads, cart writes, checkout) are ones the declared semantics give for some order of them that keeps real time',
  requires: ['op:whoami', 'op:getCart', 'op:addItem', 'cookies'],
  commands: [],
  users: 2,
};
