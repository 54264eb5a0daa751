import type { Clock } from '../clock.ts';
import type { ServerConfig } from '../config.ts';
import type { ServerParts } from '../parts.ts';
import type { Store } from '../stores/store.ts';
import { decorateStore } from './decorate-store.ts';

/**
 * A catalogued production bug the reference server can be switched into. A fault rewrites the server's parts at
 * one seam (a store decorator, a middleware, the session lifecycle, the refresh policy, a cookie option), so the
 * correct code path carries no fault branches.
 */
export interface Fault {
  id: string;
  /** What the server does wrong. */
  description: string;
  /** What a client sees. */
  symptom: string;
  source: string;
  /** Shows only with two instances over one shared store. */
  multiInstance: boolean;
  apply(parts: ServerParts, env: FaultEnv): ServerParts;
}

/** What a fault may read while rewriting parts. */
export interface FaultEnv {
  clock: Clock;
  config: ServerConfig;
}

/** The await a real store round trip would put between a read and the write that depends on it. */
export function storeRoundTrip(ms = 2): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A fault applied as a store decorator: `overrides` replaces some store methods, the rest reach `inner` unchanged. */
export function storeDecorator(overrides: (inner: Store, env: FaultEnv) => Partial<Store>): Fault['apply'] {
  return (parts, env) => ({ ...parts, store: decorateStore(parts.store, overrides(parts.store, env)) });
}
