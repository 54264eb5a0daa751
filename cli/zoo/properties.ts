import type { PropertyDefinition } from '../../properties/property.ts';
import { runProperty, type PropertyResult } from '../../properties/runner.ts';
import type { Target } from '../../properties/targets.ts';

export interface PropertySweepOptions {
  runs: number;
  seed?: number;
  /** Keep going after the first failure (the full matrix) instead of stopping there. */
  all: boolean;
  onResult?: (result: PropertyResult) => void;
}

export interface PropertySweep {
  results: PropertyResult[];
  /** The first property that failed, with the runs and seconds spent on this target until its first failing run. */
  detection: { result: PropertyResult; runs: number; seconds: number } | null;
}

/**
 * Runs property families against one target in order. Runs and seconds to detect add up everything spent on the
 * target before the failing run (earlier families included), so they say what catching the fault cost.
 */
export async function sweepProperties(
  families: readonly PropertyDefinition[],
  target: Target,
  options: PropertySweepOptions,
): Promise<PropertySweep> {
  const results: PropertyResult[] = [];
  let detection: PropertySweep['detection'] = null;
  let runs = 0;
  let seconds = 0;
  for (const family of families) {
    const result = await runProperty(family, target, {
      runs: options.runs,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    results.push(result);
    options.onResult?.(result);
    if (result.verdict === 'failed' && detection === null) {
      detection = { result, runs: runs + result.runs, seconds: seconds + (result.secondsToFailure ?? result.seconds) };
      if (!options.all) break;
    }
    runs += result.runs;
    seconds += result.seconds;
  }
  return { results, detection };
}
