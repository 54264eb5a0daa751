import type { Adapter } from '../../adapters/adapter.ts';
import type { OperationName } from '../../adapters/types.ts';

/**
 * What the adapter-driven scenarios ask of an app, decided from its adapter alone, so the Node runner and the k6
 * scripts run the same operations. Pure functions over the adapter's declarations (type imports only: nothing of
 * the adapter layer is bundled from here).
 */

type Declared = Pick<Adapter, 'operations' | 'semantics'>;

function offers(adapter: Declared, name: OperationName): boolean {
  return adapter.operations[name] !== undefined;
}

/** Carts belong to guest sessions where the app keeps guest carts and a guest has a session; else to users. */
export function cartsOfGuests(adapter: Declared): boolean {
  return adapter.semantics.guestCarts && adapter.semantics.identity !== 'bearer';
}

/** How a guest first meets the app so it has a session: its open-session operation, else asking who it is. */
export function firstContact(adapter: Declared): 'openSession' | 'whoami' | null {
  return offers(adapter, 'openSession') ? 'openSession' : offers(adapter, 'whoami') ? 'whoami' : null;
}

/** The steps of a session-churn cycle: all take no arguments but login. */
export type ChurnStep = 'openSession' | 'login' | 'getCart' | 'whoami' | 'logout';

/** One session-churn cycle: open a session where its id travels in the path, sign in, read, sign out. */
export function churnCycle(adapter: Declared): ChurnStep[] {
  const read: ChurnStep[] = offers(adapter, 'getCart') ? ['getCart'] : offers(adapter, 'whoami') ? ['whoami'] : [];
  const opening: ChurnStep[] = adapter.semantics.identity === 'path' ? ['openSession'] : [];
  return [...opening, 'login', ...read, 'logout'];
}

/**
 * Whether a signed-out client can be asked who it is and must be no one: the adapter asks, and logout must end what
 * the client holds (a stateless access token outlives its logout by design).
 */
export function checksLogout(adapter: Declared): boolean {
  return (
    offers(adapter, 'whoami') && (adapter.semantics.identity !== 'bearer' || adapter.semantics.logoutEndsAccessTokens)
  );
}

/** The operations a scenario cannot run without. */
export function missingOperations(adapter: Declared, scenario: 'cart-contention' | 'session-churn'): OperationName[] {
  const needed: OperationName[] =
    scenario === 'cart-contention'
      ? ['addItem', 'getCart', ...(cartsOfGuests(adapter) ? [] : (['login'] as const))]
      : churnCycle(adapter).filter((name) => name !== 'getCart' && name !== 'whoami');
  return needed.filter((name) => !offers(adapter, name));
}
