import type { Services } from './context.ts';
import { fail } from './errors.ts';
import { isSessionLive, type RefreshFamily } from './stores/store.ts';

/**
 * Rotation with a grace window (RFC 9700 4.14.2, and the reuse intervals of Auth0, Okta and Supabase): the current
 * token moves the family one generation on; the immediately previous token, within the grace window, gets the same
 * successor again; anything older is reuse and ends that family's session, and no other.
 */
export async function rotateRefreshToken(
  { store, clock, config }: Pick<Services, 'store' | 'clock' | 'config'>,
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
    if (generation === family.generation - 1 && now - family.rotatedAt <= config.refreshGraceMs) {
      await store.touchSession(session.id, now);
      return { family, generation: family.generation };
    }
    await store.endSession(family.sessionId);
    fail('REFRESH_TOKEN_REUSED');
  }
}
