import type { PropertyDefinition } from '../property.ts';

export const sessionIdStability: PropertyDefinition = {
  name: 'session-id-stability',
  holds:
    'a client that keeps its cookie keeps the same session id on every request until login, logout or expiry, whether or not the session holds data yet',
  requires: ['op:whoami'],
  commands: ['clients', 'session', 'cart', 'parallel'],
  optional: [{ kinds: ['login', 'credentials', 'logout'], requires: ['accounts'] }],
  users: 2,
};
