import { MemoryStore } from './memory.ts';
import type { Store } from './store.ts';

/**
 * `memory`, or a URL: `redis://` / `rediss://` (optional `/DB`; `?prefix=` sets the key prefix) or `postgres://` /
 * `postgresql://` (optional `?schema=`). Drivers load only when their store is asked for.
 */
export async function openStore(location: string): Promise<Store> {
  if (location === 'memory') return new MemoryStore();
  const scheme = /^([a-z]+):\/\//i.exec(location)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') {
    const { RedisStore } = await import('./redis.ts');
    const url = new URL(location);
    const keyPrefix = url.searchParams.get('prefix');
    url.searchParams.delete('prefix');
    return RedisStore.open(url.toString(), keyPrefix ? { keyPrefix } : {});
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { PostgresStore } = await import('./postgres.ts');
    return PostgresStore.open({ connectionString: location });
  }
  throw new Error(
    `unsupported store "${location}": use "memory", "redis://HOST:PORT[/DB]" or "postgres://USER@HOST:PORT/DATABASE"`,
  );
}
