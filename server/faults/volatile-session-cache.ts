import { storeDecorator, type Fault } from './fault.ts';

/** Small enough that a property's bulk population overflows it, large enough that a handful of clients never do. */
const capacity = 500;

export const volatileSessionCache: Fault = {
  id: 'volatile-session-cache',
  description: 'sessions live in a bounded cache that evicts under pressure',
  symptom: 'sessions and carts disappear once enough clients are active',
  source: 'seed (cache-backed sessions losing data)',
  multiInstance: false,
  apply: storeDecorator((inner) => {
    const recent = new Set<string>();
    async function use(id: string): Promise<void> {
      recent.delete(id);
      recent.add(id);
      while (recent.size > capacity) {
        const oldest = recent.values().next().value as string;
        recent.delete(oldest);
        await inner.endSession(oldest);
      }
    }
    return {
      async createSession(secret, record) {
        await inner.createSession(secret, record);
        await use(record.id);
      },
      async touchSession(id, lastSeenAt) {
        const touched = await inner.touchSession(id, lastSeenAt);
        if (touched) await use(id);
        return touched;
      },
    };
  }),
};
