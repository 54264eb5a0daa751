import fc from 'fast-check';

/**
 * A failing race as a person reads it: the violated rule, fast-check's counterexample (with the scheduler's order of
 * store calls) and the seed and path that replay it.
 */
export function formatRaceFailure(name: string, details: fc.RunDetails<unknown>): string {
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return [
    `${name} failed: ${error}`,
    fc.defaultReportMessage(details) ?? '',
    `replay: fc.check(property, { seed: ${details.seed}, path: "${details.counterexamplePath ?? ''}" })`,
  ].join('\n');
}
