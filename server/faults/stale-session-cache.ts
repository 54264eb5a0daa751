import type { SessionRecord } from '../stores/store.ts';
import { storeDecorator, type Fault } from './fault.ts';

const ttlMs = 30_000;

export const staleSessionCache: Fault = {
  id: 'stale-session-cache',
  description: 'a read-through cache in front of the store is not cleared when sessions end',
  symptom: 'logout-all or session delete takes effect only after the cache TTL',
  source: 'seed (optional Redis cache in front of the database)',
  multiInstance: false,
  apply: storeDecorator((inner) => {
    const byId = new Map<string, { record: SessionRecord; cachedAt: number }>();
    const idBySecret = new Map<string, string>();
    const cached = (id: string | undefined) => {
      const entry = id === undefined ? undefined : byId.get(id);
      return entry && Date.now() - entry.cachedAt < ttlMs ? entry.record : null;
    };
    function remember(record: SessionRecord | null): SessionRecord | null {
      if (record) byId.set(record.id, { record, cachedAt: Date.now() });
      return record;
    }
    return {
      findSession: async (id) => cached(id) ?? remember(await inner.findSession(id)),
      async findSessionBySecret(secret) {
        const hit = cached(idBySecret.get(secret));
        if (hit) return hit;
        const record = remember(await inner.findSessionBySecret(secret));
        if (record) idBySecret.set(secret, record.id);
        return record;
      },
      async touchSession(id, lastSeenAt) {
        const hit = cached(id);
        if (hit) hit.lastSeenAt = Math.max(hit.lastSeenAt, lastSeenAt);
        return (await inner.touchSession(id, lastSeenAt)) || hit !== null;
      },
    };
  }),
};
