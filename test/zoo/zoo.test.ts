import { afterAll, describe, expect, it } from 'vitest';
import { runZoo, type ZooResult } from '../../cli/zoo.ts';
import { formatDetection } from '../../cli/zoo/matrix.ts';
import { median } from '../../reports/format.ts';
import { zooSummary } from '../../cli/zoo/summary.ts';
import { faults } from '../../server/faults/index.ts';
import { provisionStore } from '../support/stores.ts';

/**
 * The zoo with a bounded budget, as CI runs it: the clean server must pass every property family and scenario
 * check, and every catalogued fault must make one of them fail. Runs are random-seeded, so this also checks that
 * detection does not hang on a lucky seed. `SESSIONPROOF_ZOO_RUNS` overrides the runs per property.
 */
const runs = Number(process.env.SESSIONPROOF_ZOO_RUNS ?? 100);
const redis = await provisionStore('redis');

afterAll(async () => {
  await redis.release();
});

function undetected(result: ZooResult): string[] {
  return result.rows.filter((row) => !row.detected).map((row) => row.fault);
}

describe('fault zoo', () => {
  it(
    'on the memory store: the clean server passes everything and every fault is detected',
    { timeout: 900_000 },
    async () => {
      const result = await runZoo({ runs });
      console.log(formatDetection(result));
      expect(result.section.clean.failures).toEqual([]);
      expect(result.section.clean.passed).toBe(true);
      expect(result.rows.map((row) => row.fault)).toEqual(faults.map((fault) => fault.id));
      expect(undetected(result)).toEqual([]);
      for (const row of result.rows) {
        expect(row.firstFailure, row.fault).not.toBeNull();
        expect(row.replay, row.fault).toMatch(new RegExp(`^sessionproof (props|load) .*--fault ${row.fault}\\b`));
        expect(row.outcomes[row.firstFailure!.name], row.fault).toBe('detected');
      }
      expect(result.passed).toBe(true);
      expect(result.medianSecondsToDetect).not.toBeNull();
      const summary = zooSummary(result, { id: 'zoo-test', command: 'vitest test/zoo', startedAt: new Date() });
      expect(summary.verdict).toBe('pass');
      expect(summary.checks.filter((check) => check.source === 'zoo')).toHaveLength(faults.length + 1);
    },
  );

  it.skipIf(redis.url === null)(
    'on redis: two instances over one store catch the multi-instance faults',
    { timeout: 180_000 },
    async () => {
      const only = faults.filter((fault) => fault.multiInstance).map((fault) => fault.id);
      expect(only.length).toBeGreaterThan(0);
      const result = await runZoo({ store: redis.url!, only, runs, skipClean: true });
      console.log(formatDetection(result));
      expect(undetected(result)).toEqual([]);
      expect(result.section.store).toBe(redis.url);
    },
  );
});

describe('zoo figures', () => {
  it('takes the median of an odd and an even count, and none of nothing', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
