import { randomToken } from './ids.ts';
import { hashPassword } from './passwords.ts';
import type { Store } from './stores/store.ts';

export interface Credentials {
  email: string;
  password: string;
}

/**
 * Seeded users are `user1@example.test` ... `userN@example.test`, all with the server's test password. They share
 * one scrypt hash: these are test accounts, and hashing thousands of them would only slow start-up.
 */
export async function seedUsers(store: Store, count: number, password: string, cost: number): Promise<void> {
  const passwordHash = await hashPassword(password, cost);
  for (let i = 1; i <= count; i++) {
    await store.createUser({ id: `user-${i}`, email: `user${i}@example.test`, passwordHash });
  }
}

/** More test accounts with unguessable emails, so several instances can create them without coordinating. */
export async function createTestUsers(
  store: Store,
  count: number,
  password: string,
  cost: number,
): Promise<Credentials[]> {
  const passwordHash = await hashPassword(password, cost);
  const created: Credentials[] = [];
  for (let i = 0; i < count; i++) {
    const suffix = randomToken(9)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x');
    const email = `user-${suffix}@example.test`;
    if (await store.createUser({ id: `user-${suffix}`, email, passwordHash })) created.push({ email, password });
  }
  return created;
}
