import { randomBytes } from 'node:crypto';
import { createServer as createNetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../server/errors.ts';
import { openStore } from '../../server/stores/index.ts';
import { RedisStore } from '../../server/stores/redis.ts';

const redisUrl = process.env.REDIS_URL;

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('openStore', () => {
  it('opens the memory store', async () => {
    const store = await openStore('memory');
    expect(store.kind).toBe('memory');
    await store.close();
  });

  it('refuses a location it does not know, naming the ones it does', async () => {
    await expect(openStore('mongodb://127.0.0.1/x')).rejects.toThrow(/memory.*redis:\/\/.*postgres:\/\//);
    await expect(openStore('redis')).rejects.toThrow(/unsupported store/);
  });

  it('reports an unreachable Redis as StoreUnavailableError, promptly', async () => {
    const started = performance.now();
    const opening = openStore(`redis://127.0.0.1:${await closedPort()}`);
    await expect(opening).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it.skipIf(!redisUrl)('opens Redis from a redis:// URL, with the key prefix from ?prefix=', async () => {
    const prefix = `sp-test-open-${randomBytes(4).toString('hex')}:`;
    const store = await openStore(`${redisUrl}?prefix=${encodeURIComponent(prefix)}`);
    try {
      expect(store).toBeInstanceOf(RedisStore);
      expect((store as RedisStore).keyPrefix).toBe(prefix);
      await store.ping();
    } finally {
      await store.reset();
      await store.close();
    }
  });
});
