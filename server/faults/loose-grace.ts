import type { Fault } from './fault.ts';

export const looseGrace: Fault = {
  id: 'loose-grace',
  description: 'the grace window accepts any earlier generation, not only the previous token',
  symptom: 'a token two rotations old still refreshes',
  source: 'django-oauth-toolkit#1617',
  multiInstance: false,
  apply: (parts) => ({
    ...parts,
    refreshPolicy: {
      ...parts.refreshPolicy,
      acceptsEarlier: (generation, family, now, graceMs) =>
        generation < family.generation && now - family.rotatedAt <= graceMs,
    },
  }),
};
