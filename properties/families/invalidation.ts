import type { PropertyDefinition } from '../property.ts';

export const invalidation: PropertyDefinition = {
  name: 'invalidation',
  holds:
    "after logout, logout-all, session delete, idle or absolute timeout no old cookie, access token or refresh token is accepted again, on any instance; other sessions' data are untouched",
  requires: ['accounts', 'op:login', 'op:logout'],
  commands: ['clients', 'session', 'cart', 'bearer', 'login', 'credentials', 'logout', 'sessions'],
  optional: [
    { kinds: ['refresh'], requires: ['op:refresh'] },
    { kinds: ['clock'], requires: ['clock'] },
  ],
  users: 2,
  // an idle timeout counted from the last write needs a write, reads spread past the timeout, then a request
  maxCommands: 60,
};
