import { denylistStore } from './denylist.ts';
import type { Fault } from './fault.ts';

export const processLocalDenylist: Fault = {
  id: 'process-local-denylist',
  description: "revocations are kept in one process's memory",
  symptom: 'logout on one instance; the token still works on another',
  source: 'seed (in-process invalidation set)',
  multiInstance: true,
  apply: (parts) => ({ ...parts, store: denylistStore(parts.store) }),
};
