import { meets } from '../../reports/checks.ts';
import type { ScenarioResult } from '../../reports/schema.ts';
import { definitions, scenarioNames, type ScenarioName } from '../../scenarios/definitions/index.ts';
import { runScenario, type ScenarioRunOptions } from '../../scenarios/run.ts';

/**
 * Each scenario at a size that finishes in seconds: enough concurrency and population for its correctness checks
 * to mean something, not enough to measure speed. The zoo reads only the checks.
 */
export const smallRuns: Record<ScenarioName, Omit<ScenarioRunOptions, 'scenario' | 'store' | 'faults'>> = {
  'refresh-storm': { load: { clients: 10, durationSeconds: 3 }, parallel: 4, recoveryDeadlineSeconds: 20 },
  'cleanup-under-load': { load: { clients: 8, durationSeconds: 1 }, sessions: 1000 },
  'cart-contention': { load: { clients: 16, durationSeconds: 2 }, carts: 2 },
  'session-churn': { load: { clients: 8, durationSeconds: 3, ratePerSecond: 150 } },
};

/** A scenario check as a zoo column: `cart-contention: lost updates`. */
export function scenarioColumn(scenario: string, counter: string): string {
  return `${scenario}: ${counter}`;
}

/** The scenario checks every zoo run makes, from the scenario definitions. */
export const scenarioColumns: string[] = scenarioNames.flatMap((name) =>
  definitions[name].checks.map((check) => scenarioColumn(name, check.counter)),
);

export interface ScenarioCheck {
  scenario: ScenarioName;
  column: string;
  passed: boolean;
  message: string;
}

export interface ScenarioSweep {
  results: ScenarioResult[];
  checks: ScenarioCheck[];
  /** The first failing check, with the seconds spent on scenarios until the scenario that showed it ended. */
  detection: { check: ScenarioCheck; seconds: number } | null;
}

/** Runs every scenario small against the reference server on `store` with `faults`, stopping at the first failed check unless `all`. */
export async function sweepScenarios(options: {
  store: string;
  faults: string[];
  all: boolean;
  onCheck?: (check: ScenarioCheck) => void;
}): Promise<ScenarioSweep> {
  const results: ScenarioResult[] = [];
  const checks: ScenarioCheck[] = [];
  let detection: ScenarioSweep['detection'] = null;
  const started = performance.now();
  const record = (check: ScenarioCheck) => {
    checks.push(check);
    options.onCheck?.(check);
    if (!check.passed && detection === null) detection = { check, seconds: (performance.now() - started) / 1000 };
  };
  for (const scenario of scenarioNames) {
    let result: ScenarioResult | null = null;
    try {
      result = await runScenario({
        scenario,
        store: options.store,
        faults: options.faults,
        ...smallRuns[scenario],
      });
    } catch (error) {
      // the reference server takes every scenario, so one it cannot finish (every add refused, say) is misbehaving:
      // each of its checks fails with the reason, and the zoo goes on to the next scenario or fault
      const reason = error instanceof Error ? error.message : String(error);
      for (const { counter } of definitions[scenario].checks)
        record({ scenario, column: scenarioColumn(scenario, counter), passed: false, message: `stopped: ${reason}` });
    }
    if (result) results.push(result);
    for (const counter of result?.counters ?? []) {
      if (!counter.expect) continue;
      record({
        scenario,
        column: scenarioColumn(scenario, counter.name),
        passed: meets(counter.value, counter.expect),
        message: `${counter.name} was ${counter.value}, expected ${counter.expect.op} ${counter.expect.value}`,
      });
    }
    if (detection && !options.all) break;
  }
  return { results, checks, detection };
}
