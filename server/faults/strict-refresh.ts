import type { Fault } from './fault.ts';

export const strictRefresh: Fault = {
  id: 'strict-refresh',
  description: 'refresh tokens are single use with no grace window',
  symptom: 'parallel refreshes: one 200, the rest 401, then the user is signed out',
  source: 'keycloak#14122, IdentityServer3.EntityFramework#42',
  multiInstance: false,
  apply: (parts) => ({ ...parts, refreshPolicy: { ...parts.refreshPolicy, acceptsEarlier: () => false } }),
};
