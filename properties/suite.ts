import { afterAll, beforeAll, test } from 'vitest';
import type { PropertyDefinition } from './property.ts';
import { formatFailure } from './report.ts';
import { runProperty } from './runner.ts';
import { targetFromEnvironment, type Target } from './targets.ts';

/**
 * Registers one property family as a vitest test against the target the environment names (the in-process
 * reference server by default). `SESSIONPROOF_RUNS` sets runs per property (default 100).
 */
export function propertyTest(definition: PropertyDefinition): void {
  let target: Target;
  beforeAll(async () => {
    target = await targetFromEnvironment();
  });
  afterAll(async () => {
    await target?.close();
  });
  test(definition.name, { timeout: 300_000 }, async (context) => {
    const runs = Number(process.env.SESSIONPROOF_RUNS ?? 100);
    const result = await runProperty(definition, target, { runs });
    if (result.verdict === 'not applicable') return context.skip(`not applicable: ${result.reason}`);
    if (result.verdict === 'failed') throw new Error(formatFailure(result, process.env.SESSIONPROOF_TARGET ?? null));
  });
}
