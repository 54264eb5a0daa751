import type { Check, ScenarioResult } from '../../reports/schema.ts';
import { scenarioNames, type ScenarioName } from '../../scenarios/definitions/index.ts';
import { runScenario } from '../../scenarios/run.ts';
import { ScenarioNotApplicable } from '../../scenarios/scenario.ts';
import type { Adapter } from '../../adapters/adapter.ts';
import type { Credentials } from '../../properties/targets.ts';
import { externalServer, TargetRefused } from '../../scenarios/servers.ts';
import type { ScenarioPlan } from './sizes.ts';

export interface ScenarioPhaseOptions {
  /** A user's server; otherwise the reference server on `store` with `faults`, one child process per scenario. */
  target?: string;
  /** How to reach a `target` that does not speak contract v1. */
  adapter?: Adapter;
  accounts?: Credentials[];
  store: string;
  faults: string[];
  plans: Record<ScenarioName, ScenarioPlan>;
  progress: (scenario: ScenarioName, line: string) => void;
}

export interface ScenarioPhase {
  results: ScenarioResult[];
  /** A scenario that could not run: skipped when the target cannot take it (not loopback, no test controls), failed otherwise. */
  checks: Check[];
}

/** Each load scenario once, in order. A scenario that cannot run does not stop the others. */
export async function runScenarios(options: ScenarioPhaseOptions): Promise<ScenarioPhase> {
  const results: ScenarioResult[] = [];
  const checks: Check[] = [];
  const refusal = options.target === undefined ? null : loopbackRefusal(options.target);
  for (const scenario of scenarioNames) {
    const name = `scenario ${scenario} ran`;
    if (refusal) {
      checks.push({ name, source: 'run', expected: 'runs', actual: 'skipped', verdict: 'skip', message: refusal });
      options.progress(scenario, `skipped: ${refusal}`);
      continue;
    }
    try {
      const result = await runScenario({
        scenario,
        ...(options.target === undefined
          ? { store: options.store, faults: options.faults }
          : {
              target: options.target,
              ...(options.adapter ? { adapter: options.adapter } : {}),
              ...(options.accounts ? { accounts: options.accounts } : {}),
            }),
        ...options.plans[scenario],
        progress: (line) => options.progress(scenario, line),
      });
      results.push(result);
      checks.push({
        name,
        source: 'run',
        expected: 'runs',
        actual: 'ran',
        verdict: 'pass',
        seconds: result.durationSeconds,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A user's server without test controls, operations or accounts a scenario needs cannot take that scenario.
      const lacksControls = options.target !== undefined && error instanceof ScenarioNotApplicable;
      checks.push({
        name,
        source: 'run',
        expected: 'runs',
        actual: lacksControls ? 'skipped' : 'error',
        verdict: lacksControls ? 'skip' : 'fail',
        message,
      });
      options.progress(scenario, `${lacksControls ? 'skipped' : 'FAILED to run'}: ${message}`);
    }
  }
  return { results, checks };
}

function loopbackRefusal(target: string): string | null {
  try {
    externalServer(target);
    return null;
  } catch (error) {
    if (error instanceof TargetRefused) return error.message;
    throw error;
  }
}
