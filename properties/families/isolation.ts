import type { PropertyDefinition } from '../property.ts';

export const isolation: PropertyDefinition = {
  name: 'isolation',
  holds: "no response ever carries another session's or user's data, even when clients race",
  requires: ['op:getCart'],
  commands: ['clients', 'session', 'cart', 'parallel'],
  optional: [{ kinds: ['login', 'bearer', 'sessions'], requires: ['accounts'] }],
  users: 2,
  // a request aimed at the other user's sessions needs both users signed in and a session list or delete after that
  weights: { login: 2, sessions: 3 },
  // a bearer token that outlives its deleted session needs a sign-in, a token, the delete, then a write with it
  maxCommands: 50,
};
