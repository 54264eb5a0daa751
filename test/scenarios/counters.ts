import type { ScenarioResult } from '../../reports/schema.ts';

/** A counter of a scenario result by name; a missing counter fails the test rather than reading as 0. */
export function counter(result: ScenarioResult, name: string): number {
  const found = result.counters.find((c) => c.name === name);
  if (!found)
    throw new Error(`${result.scenario} has no counter "${name}": ${result.counters.map((c) => c.name).join(', ')}`);
  return found.value;
}

/** A figure's value; one the run never reached fails the test with its note. */
export function figure(result: ScenarioResult, name: string): number {
  const found = result.figures.find((f) => f.name === name);
  if (!found) throw new Error(`${result.scenario} has no figure "${name}"`);
  if (found.value === null) throw new Error(`${result.scenario}: ${name} ${found.note ?? 'not reached'}`);
  return found.value;
}

export const quiet = { progress: () => {} };
