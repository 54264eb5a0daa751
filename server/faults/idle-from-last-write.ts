import { storeDecorator, type Fault } from './fault.ts';

export const idleFromLastWrite: Fault = {
  id: 'idle-from-last-write',
  description: 'the idle timer moves only when the session is written',
  symptom: 'a user who only reads is signed out while active',
  source: 'koajs/generic-session#45',
  multiInstance: false,
  apply: storeDecorator((inner) => ({
    touchSession: async (id) => (await inner.findSession(id)) !== null,
  })),
};
