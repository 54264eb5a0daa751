import type { SessionRecord } from '../stores/store.ts';
import { storeDecorator, type Fault } from './fault.ts';

export const sweeperMissesIndex: Fault = {
  id: 'sweeper-misses-index',
  description: "cleanup deletes expired sessions but leaves them in the user's session index",
  symptom: 'the session list shows dead sessions; counts drift',
  source: 'spring-session#1715',
  multiInstance: false,
  apply: storeDecorator((inner) => {
    const indexed = new Map<string, SessionRecord>();
    const leftBehind = new Map<string, SessionRecord>();
    return {
      async createSession(secret, record) {
        await inner.createSession(secret, record);
        if (record.userId !== null) indexed.set(record.id, record);
      },
      async endSession(id) {
        indexed.delete(id);
        return inner.endSession(id);
      },
      async endUserSessions(userId) {
        for (const [id, record] of indexed) if (record.userId === userId) indexed.delete(id);
        return inner.endUserSessions(userId);
      },
      async sweep(now, limit) {
        const removed = await inner.sweep(now, limit);
        for (const [id, record] of indexed) {
          if (!(await inner.findSession(id))) {
            indexed.delete(id);
            leftBehind.set(id, record);
          }
        }
        return removed;
      },
      async listUserSessions(userId) {
        const ghosts = [...leftBehind.values()].filter((record) => record.userId === userId);
        return [...(await inner.listUserSessions(userId)), ...ghosts];
      },
      async sessionStats(now) {
        const stats = await inner.sessionStats(now);
        return { ...stats, live: stats.live + leftBehind.size };
      },
    };
  }),
};
