import { denylistStore } from './denylist.ts';
import type { Fault } from './fault.ts';

export const denylistOverflowReset: Fault = {
  id: 'denylist-overflow-reset',
  description: 'revoked tokens sit in a set that is cleared once it holds 1000 entries',
  symptom: 'after enough logouts, old tokens work again',
  source: 'seed (invalidated-session set cleared past 1000)',
  multiInstance: false,
  apply: (parts) => ({ ...parts, store: denylistStore(parts.store, 1000) }),
};
