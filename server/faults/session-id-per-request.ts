import { storeDecorator, type Fault } from './fault.ts';

export const sessionIdPerRequest: Fault = {
  id: 'session-id-per-request',
  description: 'a session with no data yet is never saved, so each request mints a new ID',
  symptom: 'session id changes every request; guest cart vanishes',
  source: 'seed (session IDs changing between requests)',
  multiInstance: false,
  apply: storeDecorator((inner) => ({
    async createSession(secret, record) {
      if (record.userId !== null) await inner.createSession(secret, record);
    },
  })),
};
