import type { Semantics } from '../../adapters/semantics.ts';
import type { Via } from '../../adapters/types.ts';
import type { Requirement } from '../targets.ts';
import type { ProgramOp } from './operations.ts';

/**
 * How a program's agents hold their identity, by the adapter's declared `identity`: a cookie jar the server fills on
 * first contact, a session id in the path that first contact (`openSession`) hands out, or a bearer token that only
 * a login gives (there are no guests).
 */
export type Identity = Semantics['identity'];

/** Whether the server hands out a session by cookie on any first request. */
export function byCookie(identity: Identity): boolean {
  return identity === 'cookie' || identity === 'cookie+bearer';
}

/** How every request of a program identifies itself; with both, the cookie, as a browser's requests do. */
export function viaOf(identity: Identity): Via {
  return identity === 'bearer' ? 'bearer' : 'cookie';
}

/** What the family needs beyond its common operations to give an agent an identity at all. */
export function identityRequirements(identity: Identity): Requirement[] {
  if (identity === 'path') return ['op:openSession'];
  if (identity === 'bearer') return ['op:login', 'accounts'];
  return [];
}

/**
 * An agent's first contact: a read that sets the session cookie, the call that opens a path session, or (for an
 * agent that needs a token before anything) a sign-in as an account of its own.
 */
export function firstContact(identity: Identity, agent: number, users: number): ProgramOp {
  if (identity === 'path') return { kind: 'openSession' };
  if (identity === 'bearer') return { kind: 'login', user: agent % Math.max(1, users) };
  return { kind: 'whoami' };
}
