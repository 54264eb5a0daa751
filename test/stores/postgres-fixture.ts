import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore, type PostgresStoreOptions } from '../../server/stores/postgres.ts';
import { provisionStore } from '../support/stores.ts';

/** A schema of its own per store, so test files running at once on one database never see each other's rows. */
export function testSchemaName(): string {
  return `sp_test_${randomBytes(6).toString('hex')}`;
}

/** Drops schemas with a connection of its own, so it works after the stores using them have closed. */
export async function dropSchemas(url: string, schemas: Iterable<string>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas)
      await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL for a test file (DATABASE_URL, a container, or a skip with its reason) and a factory for stores, each
 * in a fresh schema unless told one; `release` closes them and drops every schema they used.
 */
export async function postgresFixture() {
  const provisioned = await provisionStore('postgres');
  const stores = new Set<PostgresStore>();
  const schemas = new Set<string>();
  return {
    url: provisioned.url,
    skipReason: provisioned.skipReason,
    async open(options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
      if (provisioned.url === null) throw new Error(`no PostgreSQL: ${provisioned.skipReason}`);
      const schema = options.schema ?? testSchemaName();
      schemas.add(schema);
      // Small pools: several test files share the server's connection limit.
      const store = await PostgresStore.open({ connectionString: provisioned.url, poolSize: 8, ...options, schema });
      stores.add(store);
      return store;
    },
    /** Closes a store now (its schema is still dropped at release). */
    async close(store: PostgresStore): Promise<void> {
      stores.delete(store);
      await store.close();
    },
    async release(): Promise<void> {
      for (const store of stores) await store.close();
      stores.clear();
      if (provisioned.url !== null && schemas.size > 0) await dropSchemas(provisioned.url, schemas);
      await provisioned.release();
    },
  };
}
