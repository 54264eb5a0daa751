import { families } from '../../properties/families/index.ts';
import { replayCommand, summaryResult } from '../../properties/report.ts';
import { runProperty, type PropertyResult } from '../../properties/runner.ts';
import type { Target } from '../../properties/targets.ts';
import type { PropertyResult as SummaryPropertyResult } from '../../reports/schema.ts';

export interface PropertyPhaseOptions {
  target: Target;
  runs: number;
  seed: number;
  /** The command that replays one failure against the same kind of server. */
  replay: (result: PropertyResult) => string;
  progress: (line: string) => void;
}

/** Every property family against the target, one after another, each result shown as it lands. */
export async function runProperties(options: PropertyPhaseOptions): Promise<SummaryPropertyResult[]> {
  const results: SummaryPropertyResult[] = [];
  for (const family of families) {
    const result = await runProperty(family, options.target, { runs: options.runs, seed: options.seed });
    const summary = summaryResult(result, options.seed, result.failure ? options.replay(result) : null);
    results.push(summary);
    const detail =
      summary.verdict === 'not-applicable'
        ? ` (${summary.reason})`
        : summary.verdict === 'fail'
          ? `: ${result.failure?.error.split('\n')[0]}`
          : '';
    options.progress(
      `${family.name}: ${summary.verdict} after ${summary.runs} runs in ${summary.seconds.toFixed(1)} s${detail}`,
    );
  }
  return results;
}

/** `sessionproof props --target URL ...` for a user's server (`targetSpec` carries --adapter and --accounts). */
export function targetReplay(targetSpec: string): (result: PropertyResult) => string {
  return (result) => replayCommand(result, targetSpec);
}
