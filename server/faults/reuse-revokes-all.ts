import type { Fault } from './fault.ts';

export const reuseRevokesAll: Fault = {
  id: 'reuse-revokes-all',
  description: 'reuse detection revokes every session of the user, not one family',
  symptom: 'one replayed token signs the user out on all devices',
  source: 'keycloak#16081',
  multiInstance: false,
  apply: (parts) => ({
    ...parts,
    refreshPolicy: {
      ...parts.refreshPolicy,
      async revoke(store, family) {
        await store.endUserSessions(family.userId);
      },
    },
  }),
};
