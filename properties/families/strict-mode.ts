import type { PropertyDefinition } from '../property.ts';

export const strictMode: PropertyDefinition = {
  name: 'strict-mode',
  holds: 'a session id (cookie value) the server never issued is never adopted',
  requires: ['cookies', 'op:whoami'],
  commands: ['clients', 'session', 'cart', 'forge'],
  maxCommands: 15,
};
