import type { PropertyDefinition } from '../property.ts';

export const linearizable: PropertyDefinition = {
  name: 'linearizable',
  kind: 'parallel',
  holds:
    'the answers to operations run at once (sign-in, sign-out here or everywhere, refresh, session lists, session and cart reads, cart writes, checkout) are ones the declared semantics give for some order of them that keeps real time',
  // and what the declared identity needs for a first contact (properties/linearizable/identity.ts)
  requires: ['op:whoami', 'op:getCart', 'op:addItem'],
  commands: [],
  users: 2,
};
