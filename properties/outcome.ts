import type { Parameters } from 'fast-check';
import type { PropertyDefinition } from './property.ts';
import type { PropertyResult, RunOptions } from './runner.ts';
import { describeRequirement, type Requirement } from './targets.ts';

/** What every runner reports for a property that cannot run on the target, and why. */
export function notApplicable(definition: PropertyDefinition, reason: string): PropertyResult {
  return {
    name: definition.name,
    holds: definition.holds,
    verdict: 'not applicable',
    runs: 0,
    skipped: 0,
    requests: 0,
    seconds: 0,
    reason,
  };
}

export function lacks(missing: Requirement[]): string {
  return `target lacks ${missing.map(describeRequirement).join(', ')}`;
}

/** fast-check's parameters for one property: its share of the runs, and the seed and path to replay. */
export function checkParameters<T>(definition: PropertyDefinition, options: RunOptions): Parameters<T> {
  return {
    numRuns: Math.max(1, Math.round(options.runs * (definition.runShare ?? 1))),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.path === undefined ? {} : { path: options.path }),
  };
}
