import { replayCommand } from '../../properties/report.ts';
import type { PropertyResult as RunnerResult } from '../../properties/runner.ts';
import { formatExchanges } from '../../properties/history.ts';
import type { PropertyResult, RunSummary } from '../../reports/schema.ts';
import { buildSummary, currentGit, currentMachine } from '../../reports/summary.ts';
import type { ZooResult } from './run-zoo.ts';

/** A runner result as the run summary records it. */
export function summaryProperty(result: RunnerResult, replay = result.failure ? replayCommand(result, null) : null): PropertyResult {
  return {
    name: result.name,
    verdict: result.verdict === 'failed' ? 'fail' : result.verdict === 'passed' ? 'pass' : 'not-applicable',
    runs: result.runs,
    seconds: result.seconds,
    runsPerSecond: result.seconds > 0 ? result.runs / result.seconds : 0,
    seed: result.failure?.seed ?? result.seed ?? 0,
    path: result.failure?.path ?? null,
    replay,
    reason: result.reason ?? null,
    counterexample: result.failure
      ? { commands: result.failure.commands, error: result.failure.error, history: formatExchanges(result.failure.exchanges).split('\n').filter((line) => line.startsWith('#')) }
      : null,
  };
}

/** The zoo's run summary: the clean server's properties and scenarios, and the zoo section with one row per fault. */
export function zooSummary(result: ZooResult, run: { id: string; command: string; startedAt: Date }): RunSummary {
  return buildSummary({
    run: {
      id: run.id,
      command: run.command,
      startedAt: run.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      git: currentGit(),
      machine: currentMachine(),
      target: { kind: 'reference', store: result.section.store, faults: [] },
    },
    ...(result.clean ? { properties: result.clean.properties.map((p) => summaryProperty(p)), scenarios: result.clean.scenarios } : {}),
    zoo: result.section,
  });
}
