import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../server/stores/index.ts';

/**
 * A load run writes hundreds of thousands of sessions; on a shared Redis or PostgreSQL it gets a key prefix or
 * schema of its own (unless the location names one), and the run removes it afterwards.
 */
export interface ScratchStore {
  /** The location to open: the given one plus a unique prefix or schema. */
  location: string;
  /** The store's kind as the summary names it: memory, redis or postgres. */
  kind: 'memory' | 'redis' | 'postgres';
  /** Deletes what the run wrote (keys under the prefix, the schema); a no-op for memory or a location the user named. */
  cleanUp(): Promise<void>;
}

export function scratchStore(location: string): ScratchStore {
  if (location === 'memory') return { location, kind: 'memory', cleanUp: async () => {} };
  const url = new URL(location);
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const suffix = randomBytes(4).toString('hex');
  if (scheme === 'redis' || scheme === 'rediss') {
    if (url.searchParams.has('prefix')) return { location, kind: 'redis', cleanUp: async () => {} };
    url.searchParams.set('prefix', `sp-load-${suffix}:`);
    const scratch = url.toString();
    return {
      location: scratch,
      kind: 'redis',
      async cleanUp() {
        const store = await openStore(scratch);
        try {
          await store.reset();
        } finally {
          await store.close();
        }
      },
    };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    if (url.searchParams.has('schema')) return { location, kind: 'postgres', cleanUp: async () => {} };
    const schema = `sp_load_${suffix}`;
    const connectionString = url.toString();
    url.searchParams.set('schema', schema);
    return {
      location: url.toString(),
      kind: 'postgres',
      async cleanUp() {
        const client = new pg.Client({ connectionString });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  }
  throw new Error(
    `unsupported store "${location}": use "memory", "redis://HOST:PORT[/DB]" or "postgres://USER@HOST:PORT/DATABASE"`,
  );
}
