import type { PropertyDefinition } from '../property.ts';

export const refreshRotation: PropertyDefinition = {
  name: 'refresh-rotation',
  holds:
    "concurrent refreshes with one token inside the grace window all succeed with one successor; reuse outside the window revokes that family and not the user's other sessions",
  requires: ['accounts', 'op:refresh'],
  commands: ['clients', 'session', 'bearer', 'login', 'refresh'],
  optional: [{ kinds: ['clock'], requires: ['clock'] }],
  weights: { refresh: 8, login: 4 },
  users: 1,
  // a reuse that must spare the user's other session needs a family rotated twice, then replayed, beside a second
  // sign-in: long histories reach that far more often than more runs do (docs/faults.md, how sure the zoo is)
  maxCommands: 80,
};
