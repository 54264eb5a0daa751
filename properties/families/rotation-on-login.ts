import type { PropertyDefinition } from '../property.ts';

export const rotationOnLogin: PropertyDefinition = {
  name: 'rotation-on-login',
  holds: 'login issues a new secret and a new id; the pre-login cookie stops working and the new one works at once',
  requires: ['accounts', 'rotates-on-login', 'op:login', 'op:whoami'],
  commands: ['clients', 'session', 'cart', 'login', 'bearer'],
  users: 2,
};
