import { guestRecord } from '../request-session.ts';
import { decorateStore } from './decorate-store.ts';
import type { Fault } from './fault.ts';

export const permissiveSessionId: Fault = {
  id: 'permissive-session-id',
  description: 'adopts a session ID the client made up',
  symptom: "a cookie of the attacker's choosing becomes a valid session",
  source: 'OWASP Session Management Cheat Sheet',
  multiInstance: false,
  apply(parts, { clock, config }) {
    const inner = parts.store;
    return {
      ...parts,
      signedCookies: false,
      store: decorateStore(inner, {
        async findSessionBySecret(secret) {
          const found = await inner.findSessionBySecret(secret);
          if (found) return found;
          const adopted = guestRecord(clock.now(), config.guestIdleTimeoutMs);
          await inner.createSession(secret, adopted);
          return adopted;
        },
      }),
    };
  },
};
