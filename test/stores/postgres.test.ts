import { afterAll } from 'vitest';
import { PostgresStore } from '../../server/stores/postgres.ts';
import { provisionStore } from '../support/stores.ts';
import { describeStoreContract } from './contract.ts';
import { dropSchemas, testSchemaName } from './postgres-fixture.ts';

const postgres = await provisionStore('postgres');
afterAll(() => postgres.release());

/** A schema of its own, dropped afterwards, so this file never sees (or resets) another test's or a server's rows. */
const schema = testSchemaName();

describeStoreContract(
  'postgres',
  postgres.url === null
    ? null
    : {
        open: () => PostgresStore.open({ connectionString: postgres.url!, schema }),
        async close(store) {
          await store.close();
          await dropSchemas(postgres.url!, [schema]);
        },
      },
  postgres.skipReason ?? undefined,
);
