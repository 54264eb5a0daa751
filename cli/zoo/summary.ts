import { replayCommand, summaryResult } from '../../properties/report.ts';
import type { RunSummary } from '../../reports/schema.ts';
import { buildSummary, currentGit, currentMachine } from '../../reports/summary.ts';
import type { ZooResult } from './run-zoo.ts';

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
    ...(result.clean
      ? {
          properties: result.clean.properties.map((p) =>
            summaryResult(p, p.seed ?? 0, p.failure ? replayCommand(p, null) : null),
          ),
          scenarios: result.clean.scenarios,
        }
      : {}),
    zoo: result.section,
  });
}
