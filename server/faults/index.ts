import type { ServerParts } from '../parts.ts';
import { cartInSession } from './cart-in-session.ts';
import { crossSessionLeak } from './cross-session-leak.ts';
import { csrfNotBound } from './csrf-not-bound.ts';
import { denylistOverflowReset } from './denylist-overflow-reset.ts';
import type { Fault, FaultEnv } from './fault.ts';
import { idleFromLastWrite } from './idle-from-last-write.ts';
import { idleNotEnforced } from './idle-not-enforced.ts';
import { logoutKeepsServerSession } from './logout-keeps-server-session.ts';
import { logoutViaUserFlag } from './logout-via-user-flag.ts';
import { looseGrace } from './loose-grace.ts';
import { mergeDropsGuest } from './merge-drops-guest.ts';
import { mergeDuplicateLines } from './merge-duplicate-lines.ts';
import { mergeNotIdempotent } from './merge-not-idempotent.ts';
import { noAbsoluteTimeout } from './no-absolute-timeout.ts';
import { noRotateOnLogin } from './no-rotate-on-login.ts';
import { permissiveSessionId } from './permissive-session-id.ts';
import { processLocalDenylist } from './process-local-denylist.ts';
import { racyCartCreate } from './racy-cart-create.ts';
import { resurrectAfterLogout } from './resurrect-after-logout.ts';
import { reuseRevokesAll } from './reuse-revokes-all.ts';
import { rotateWithoutCookie } from './rotate-without-cookie.ts';
import { sessionIdPerRequest } from './session-id-per-request.ts';
import { staleSaveOnRead } from './stale-save-on-read.ts';
import { staleSessionCache } from './stale-session-cache.ts';
import { strictRefresh } from './strict-refresh.ts';
import { sweeperMissesIndex } from './sweeper-misses-index.ts';
import { volatileSessionCache } from './volatile-session-cache.ts';

export type { Fault } from './fault.ts';

/** Every catalogued fault, in the order of docs/faults.md (test/docs checks that the two agree). */
export const faults: readonly Fault[] = [
  cartInSession,
  staleSaveOnRead,
  resurrectAfterLogout,
  racyCartCreate,
  sessionIdPerRequest,
  volatileSessionCache,
  permissiveSessionId,
  noRotateOnLogin,
  rotateWithoutCookie,
  noAbsoluteTimeout,
  idleNotEnforced,
  idleFromLastWrite,
  logoutKeepsServerSession,
  denylistOverflowReset,
  processLocalDenylist,
  logoutViaUserFlag,
  staleSessionCache,
  strictRefresh,
  reuseRevokesAll,
  looseGrace,
  mergeDuplicateLines,
  mergeNotIdempotent,
  mergeDropsGuest,
  sweeperMissesIndex,
  crossSessionLeak,
  csrfNotBound,
];

export class UnknownFaultError extends Error {
  constructor(id: string) {
    super(`unknown fault "${id}"; known faults:\n${faults.map((fault) => `  ${fault.id}`).join('\n')}`);
  }
}

export function findFault(id: string): Fault {
  return faults.find((fault) => fault.id === id) ?? throwUnknown(id);
}

function throwUnknown(id: string): never {
  throw new UnknownFaultError(id);
}

/** Applies the named faults in order, each to the parts the previous one produced. */
export function applyFaults(ids: readonly string[], parts: ServerParts, env: FaultEnv): ServerParts {
  return ids.map(findFault).reduce((current, fault) => fault.apply(current, env), parts);
}
