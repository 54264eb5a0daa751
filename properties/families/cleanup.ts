import type { PropertyDefinition } from '../property.ts';

export const cleanup: PropertyDefinition = {
  name: 'cleanup',
  holds: 'the sweeper removes every expired session and no live one; session lists never show dead sessions',
  requires: ['control:clock', 'control:sweep'],
  commands: ['clients', 'session', 'cart', 'clock', 'sweep', 'bulk'],
  optional: [{ kinds: ['login', 'logout', 'sessions', 'bearer'], requires: ['accounts'] }],
  // what it checks needs sessions to expire, with carts, and a sweep after, and signed-in sessions ended by sign-outs
  // (the ended count must show them): draw those more often
  weights: { cart: 2, clock: 2, sweep: 2, login: 2, logout: 2 },
  users: 1,
  maxCommands: 30,
  // more expired sessions than one batch of the sweeper, so a sweep pass must go on past its first batch
  population: [150],
};
