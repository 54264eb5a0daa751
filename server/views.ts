import type { SessionRecord, User } from './stores/store.ts';

export function userView(user: User) {
  return { id: user.id, email: user.email };
}

export function sessionView(record: SessionRecord, user: User | null) {
  return {
    id: record.id,
    user: user ? userView(user) : null,
    csrfToken: record.csrfToken,
    createdAt: record.createdAt,
    idleExpiresAt: record.lastSeenAt + record.idleTimeoutMs,
    absoluteExpiresAt: record.absoluteExpiresAt,
  };
}
