import type { SessionRecord } from '../stores/store.ts';
import { storeDecorator, type Fault } from './fault.ts';

export const logoutViaUserFlag: Fault = {
  id: 'logout-via-user-flag',
  description: 'logout flips a per-user active flag, login flips it back',
  symptom: 'logout on one device ends all devices; signing in again revives every old token',
  source: 'seed (logout sets the user inactive)',
  multiInstance: false,
  apply: storeDecorator((inner) => {
    const inactiveUsers = new Set<string>();
    const visible = (record: SessionRecord | null) =>
      record && !(record.userId !== null && inactiveUsers.has(record.userId)) ? record : null;
    return {
      findSession: async (id) => visible(await inner.findSession(id)),
      findSessionBySecret: async (secret) => visible(await inner.findSessionBySecret(secret)),
      touchSession: async (id, lastSeenAt) =>
        visible(await inner.findSession(id)) !== null && inner.touchSession(id, lastSeenAt),
      listUserSessions: async (userId) => (inactiveUsers.has(userId) ? [] : inner.listUserSessions(userId)),
      async createSession(secret, record) {
        if (record.userId !== null) inactiveUsers.delete(record.userId);
        await inner.createSession(secret, record);
      },
      async endSession(id) {
        const record = visible(await inner.findSession(id));
        if (!record) return false;
        if (record.userId === null) return inner.endSession(id);
        inactiveUsers.add(record.userId);
        return true;
      },
      async endUserSessions(userId) {
        const count = inactiveUsers.has(userId) ? 0 : (await inner.listUserSessions(userId)).length;
        inactiveUsers.add(userId);
        return count;
      },
    };
  }),
};
