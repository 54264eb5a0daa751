import { storeDecorator, type Fault } from './fault.ts';

const century = 100 * 365 * 24 * 60 * 60 * 1000;

export const idleNotEnforced: Fault = {
  id: 'idle-not-enforced',
  description: 'no inactivity timeout',
  symptom: 'a session idle for hours still works',
  source: 'seed (15-minute inactivity timeout missing)',
  multiInstance: false,
  apply: storeDecorator((inner) => ({
    createSession: (secret, record) => inner.createSession(secret, { ...record, idleTimeoutMs: century }),
  })),
};
