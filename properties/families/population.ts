import type { PropertyDefinition } from '../property.ts';

export const population: PropertyDefinition = {
  name: 'population',
  holds:
    "session id stability and invalidation hold at population size: with a thousand other sessions opened and ended, no client's session vanishes and no ended session returns",
  requires: ['cookies', 'op:whoami', 'op:logout'],
  commands: ['session', 'logout', 'bulk'],
  optional: [{ kinds: ['login', 'bearer'], requires: ['accounts'] }],
  users: 1,
  maxCommands: 10,
  weights: { bulk: 2 },
  runShare: 0.1,
};
