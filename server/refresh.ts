import type { Services } from './context.ts';
import { fail } from './errors.ts';
import type { RefreshPolicy } from './parts.ts';
import { isSessionLive, type RefreshFamily } from './stores/store.ts';

/** Only the immediately previous token, within the grace window; reuse ends that family's session alone. */
export const previousTokenPolicy: RefreshPolicy = {
  acceptsEarlier: (generation, family, now, graceMs) =>
    generation === family.generation - 1 && now - family.rotatedAt <= graceMs,
  async revoke(store, family) {
    await store.endSession(family.sessionId);
  },
};

/**
 * Rotation with a grace window (RFC 9700 4.14.2, and the reuse intervals of Auth0, Okta and Supabase): the current
 * token moves the family one generation on; the immediately previous token, within the grace window, gets the same
 * successor again; anything older is reuse and ends that family's session, and no other.
 */
export async function rotateRefreshToken(
  { store, clock, config, refreshPolicy }: Pick<Services, 'store' | 'clock' | 'config' | 'refreshPolicy'>,
  familyId: string,
  generation: number,
): Promise<{ family: RefreshFamily; generation: number }> {
  for (;;) {
    const family = (await store.findRefreshFamily(familyId)) ?? fail('REFRESH_TOKEN_INVALID');
    const session = await store.findSession(family.sessionId);
    const now = clock.now();
    if (!session || !isSessionLive(session, now) || generation > family.generation) fail('REFRESH_TOKEN_INVALID');
    if (generation === family.generation) {
      if (!(await store.advanceRefreshFamily(familyId, generation, now))) continue;
      await store.touchSession(session.id, now);
      return { family, generation: generation + 1 };
    }
    if (refreshPolicy.acceptsEarlier(generation, family, now, config.refreshGraceMs)) {
      await store.touchSession(session.id, now);
      return { family, generation: family.generation };
    }
    await refreshPolicy.revoke(store, family);
    fail('REFRESH_TOKEN_REUSED');
  }
}
