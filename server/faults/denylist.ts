import type { SessionRecord, Store } from '../stores/store.ts';
import { decorateStore } from './decorate-store.ts';

/**
 * Ending a session only adds its id to an in-process denylist; the record stays in the store. `clearAt` empties
 * the list once it holds that many ids. Shared by the denylist faults, which differ only in scope and reset.
 */
export function denylistStore(inner: Store, clearAt = Infinity): Store {
  const revoked = new Set<string>();
  const visible = (record: SessionRecord | null) => (record && !revoked.has(record.id) ? record : null);
  function revoke(id: string): void {
    revoked.add(id);
    if (revoked.size >= clearAt) revoked.clear();
  }
  return decorateStore(inner, {
    findSession: async (id) => visible(await inner.findSession(id)),
    findSessionBySecret: async (secret) => visible(await inner.findSessionBySecret(secret)),
    touchSession: async (id, lastSeenAt) => !revoked.has(id) && inner.touchSession(id, lastSeenAt),
    listUserSessions: async (userId) =>
      (await inner.listUserSessions(userId)).filter((record) => !revoked.has(record.id)),
    async endSession(id) {
      if (!visible(await inner.findSession(id))) return false;
      revoke(id);
      return true;
    },
    async endUserSessions(userId) {
      const live = (await inner.listUserSessions(userId)).filter((record) => !revoked.has(record.id));
      for (const record of live) revoke(record.id);
      return live.length;
    },
  });
}
