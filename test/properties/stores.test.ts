/**
 * Every property family over HTTP on Redis and on PostgreSQL: per store, two reference-server instances on loopback,
 * each with its own connection to one key prefix or schema of this file's own (removed afterwards), behind a
 * several-URLs target, so requests of one run alternate between the instances.
 *
 * Runs per property per store: SESSIONPROOF_STORE_RUNS, default 100; population makes a tenth of them (its runShare:
 * each of its runs opens and ends a thousand sessions). Measured on the 2-core CI machine: under a minute for the
 * whole file with the rest of test/properties beside it (Redis 20 s, PostgreSQL 25 s), about 2.5 minutes while other
 * suites loaded it to 7-10. Each property logs its runs/s.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import { zooTarget } from '../../cli/zoo/target.ts';
import { families } from '../../properties/families/index.ts';
import { formatFailure } from '../../properties/report.ts';
import { runProperty } from '../../properties/runner.ts';
import type { Target } from '../../properties/targets.ts';
import { provisionStore, type StoreBackend } from '../support/stores.ts';

const runs = Number(process.env.SESSIONPROOF_STORE_RUNS ?? 100);

for (const backend of ['redis', 'postgres'] as StoreBackend[]) {
  const provisioned = await provisionStore(backend);
  describe.skipIf(provisioned.url === null)(
    `property suites over HTTP on ${backend}, two instances sharing the store`,
    () => {
      let target: Target;
      beforeAll(async () => {
        target = await zooTarget({ store: provisioned.url!, faults: [], instances: 2 });
      });
      afterAll(async () => {
        await target?.close();
        await provisioned.release();
      });

      for (const family of families) {
        test(`${family.name} on ${backend}`, { timeout: 600_000 }, async (context) => {
          const result = await runProperty(family, target, { runs });
          console.log(
            `[sessionproof] ${family.name} on ${backend}: ${result.verdict}, ${result.runs} runs (${result.skipped} skipped, ${result.requests} requests) in ${result.seconds.toFixed(1)} s (${(result.runs / result.seconds).toFixed(1)} runs/s)`,
          );
          if (result.verdict === 'not applicable') return context.skip(`not applicable: ${result.reason}`);
          if (result.verdict === 'failed') throw new Error(formatFailure(result, null));
        });
      }
    },
  );
}
