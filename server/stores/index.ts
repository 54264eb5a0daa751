import { MemoryStore } from './memory.ts';
import type { Store } from './store.ts';

/** `memory`, or a `redis://` / `postgres://` URL. */
export async function openStore(location: string): Promise<Store> {
  if (location === 'memory') return new MemoryStore();
  throw new Error(`unsupported store "${location}": use "memory"`);
}
