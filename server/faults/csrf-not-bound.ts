import { csrfProtection } from '../csrf.ts';
import { decorateStore } from './decorate-store.ts';
import type { Fault } from './fault.ts';

export const csrfNotBound: Fault = {
  id: 'csrf-not-bound',
  description: 'any CSRF token the server ever issued is accepted for any session',
  symptom: "one session's token authorises another session's writes",
  source: 'seed (per-session CSRF tokens)',
  multiInstance: false,
  apply(parts) {
    const inner = parts.store;
    const issued = new Set<string>();
    return {
      ...parts,
      store: decorateStore(inner, {
        async createSession(secret, record) {
          issued.add(record.csrfToken);
          await inner.createSession(secret, record);
        },
      }),
      csrf: csrfProtection((given) => issued.has(given)),
    };
  },
};
