import type { PropertyDefinition } from '../property.ts';

export const isolation: PropertyDefinition = {
  name: 'isolation',
  holds: "no response ever carries another session's or user's data, even when clients race",
  requires: ['op:getCart'],
  commands: ['clients', 'session', 'cart', 'parallel'],
  optional: [{ kinds: ['login', 'bearer', 'sessions'], requires: ['accounts'] }],
  users: 2,
  // one user's requests aimed at the other's sessions need both signed in, and a session request after
  weights: { login: 2, sessions: 3 },
};
