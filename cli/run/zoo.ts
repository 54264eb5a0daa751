import { meets } from '../../reports/checks.ts';
import type { PropertyResult, ScenarioResult, ZooOutcome, ZooSection } from '../../reports/schema.ts';
import { runZoo } from '../zoo/run-zoo.ts';
import { scenarioColumn } from '../zoo/scenarios.ts';

export interface ZooPhaseOptions {
  store: string;
  runs: number;
  seed: number;
  /** Fault ids to run; all of the catalogue when absent. */
  only?: readonly string[];
  /** What the run measured on the clean server already: it stands as the zoo's clean row instead of a second pass. */
  clean: { properties: PropertyResult[]; scenarios: ScenarioResult[] };
  progress: (line: string) => void;
}

/**
 * The zoo as one part of a run. The run's own property suites and scenarios on the clean server are the zoo's clean
 * row (its columns, the same property names and scenario checks), so the clean server is not tested twice.
 */
export async function runZooPhase(options: ZooPhaseOptions): Promise<ZooSection> {
  const result = await runZoo({
    store: options.store,
    runs: options.runs,
    seed: options.seed,
    skipClean: true,
    ...(options.only ? { only: options.only } : {}),
    progress: options.progress,
  });
  const clean = cleanRow(options.clean);
  const columns = [...result.section.columns];
  for (const column of Object.keys(clean.outcomes)) if (!columns.includes(column)) columns.push(column);
  return { ...result.section, columns, clean };
}

function cleanRow({ properties, scenarios }: ZooPhaseOptions['clean']): ZooSection['clean'] {
  const outcomes: Record<string, ZooOutcome> = {};
  const failures: string[] = [];
  for (const p of properties) {
    outcomes[p.name] = p.verdict === 'pass' ? 'passed' : p.verdict === 'fail' ? 'detected' : 'not-applicable';
    if (p.verdict === 'fail') failures.push(p.name);
  }
  for (const s of scenarios) {
    for (const counter of s.counters) {
      if (!counter.expect) continue;
      const column = scenarioColumn(s.scenario, counter.name);
      const passed = meets(counter.value, counter.expect);
      outcomes[column] = passed ? 'passed' : 'detected';
      if (!passed) failures.push(column);
    }
  }
  return { passed: failures.length === 0, failures, outcomes };
}
