import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../server/stores/redis.ts';
import { provisionStore } from '../support/stores.ts';
import { describeStoreContract } from './contract.ts';

const redis = await provisionStore('redis');
afterAll(() => redis.release());

/** A prefix of its own, so this file never sees (or resets) another test's or a server's keys. */
const testPrefix = () => `sp-test-${randomBytes(6).toString('hex')}:`;
const keyPrefix = testPrefix();

describeStoreContract(
  'redis',
  redis.url === null ? null : { open: () => RedisStore.open(redis.url!, { keyPrefix }) },
  redis.skipReason ?? undefined,
);

describe.skipIf(redis.url === null)('redis: instances sharing one Redis', () => {
  it('two connections on one prefix see one state: no lost adds, one cart, logout seen by both', async () => {
    const prefix = testPrefix();
    const [a, b] = await Promise.all([
      RedisStore.open(redis.url!, { keyPrefix: prefix }),
      RedisStore.open(redis.url!, { keyPrefix: prefix }),
    ]);
    try {
      const adds = Array.from({ length: 400 }, (_, i) =>
        (i % 2 === 0 ? a : b).addToCart('user:u-1', `cart-${i}`, { sku: 'HOT', quantity: 2 }, 1_000_000),
      );
      const carts = await Promise.all(adds);
      expect(new Set(carts.map((cart) => cart!.id)).size).toBe(1);
      expect((await b.getOrCreateCart('user:u-1', 'x')).items).toEqual([{ sku: 'HOT', quantity: 800 }]);

      const now = 1_763_000_000_000;
      const record = {
        id: 's-1',
        userId: 'u-1',
        csrfToken: 'c',
        createdAt: now,
        lastSeenAt: now,
        idleTimeoutMs: 60_000,
        absoluteExpiresAt: null,
      };
      await a.createSession('secret-1', record);
      expect(await b.findSessionBySecret('secret-1')).toEqual(record);
      expect(await b.endSession('s-1')).toBe(true);
      expect(await a.touchSession('s-1', now + 1)).toBe(false);
      expect(await a.replaceSession('secret-1', record)).toBe(false);
      expect(await a.findSessionBySecret('secret-1')).toBeNull();
    } finally {
      await a.reset();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps prefixes apart: a reset under one prefix leaves another untouched', async () => {
    const [mine, theirs] = await Promise.all([
      RedisStore.open(redis.url!, { keyPrefix: testPrefix() }),
      RedisStore.open(redis.url!, { keyPrefix: testPrefix() }),
    ]);
    try {
      await mine.createUser({ id: 'u-1', email: 'same@example.test', passwordHash: 'h' });
      expect(await theirs.createUser({ id: 'u-1', email: 'same@example.test', passwordHash: 'h' })).toBe(true);
      await mine.reset();
      expect(await mine.findUser('u-1')).toBeNull();
      expect(await theirs.findUser('u-1')).not.toBeNull();
    } finally {
      await theirs.reset();
      await Promise.all([mine.close(), theirs.close()]);
    }
  });
});
