import type { Adapter } from '../adapters/adapter.ts';
import type { PropertyResult as SummaryPropertyResult } from '../reports/schema.ts';
import { formatExchanges } from '../adapters/history.ts';
import type { PropertyResult } from './runner.ts';

/** The command that replays a failure: same property, seed and shrink path, against the same target. */
/** The `--target` argument of a replay, with the adapter and accounts it needs. */
export function targetArguments(urls: string, adapter?: string, accounts?: string): string {
  return [urls, adapter ? `--adapter ${adapter}` : '', accounts ? `--accounts ${accounts}` : '']
    .filter(Boolean)
    .join(' ');
}

/** What the target's adapter declares, so a reader of a report sees what the model assumed. */
export function declaredLine(adapter: Adapter): string {
  const { skus, ...rest } = adapter.semantics;
  const shown = skus.length > 3 ? [...skus.slice(0, 3), '…'] : skus;
  return `adapter ${adapter.name} declares ${JSON.stringify({ ...rest, skus: shown })}`;
}

/** What an adapter declares, as the report records it. */
export function declaredBy(adapter: Adapter): { name: string; declares: Record<string, unknown> } {
  return { name: adapter.name, declares: { ...adapter.semantics } };
}

export function replayCommand(result: PropertyResult, targetSpec: string | null): string {
  const failure = result.failure!;
  return [
    'sessionproof props',
    targetSpec ? `--target ${targetSpec}` : '',
    `--only ${result.name}`,
    `--seed=${failure.seed}`,
    `--path ${failure.path}`,
    failure.replayPath ? `--replay-path '${failure.replayPath}'` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** Everything a person needs to see why a property failed and to replay it. */
export function formatFailure(result: PropertyResult, targetSpec: string | null): string {
  const failure = result.failure!;
  return [
    `property ${result.name} FAILED after ${result.runs} runs (seed ${failure.seed}, path ${failure.path})`,
    `broken guarantee: ${result.holds}`,
    '',
    failure.error,
    '',
    'shrunk commands:',
    `  ${failure.commands}`,
    '',
    `HTTP exchanges of the failing history (${failure.exchanges.length}):`,
    formatExchanges(failure.exchanges),
    '',
    'replay:',
    `  ${replayCommand(result, targetSpec)}`,
  ].join('\n');
}

/** The summary table: one row per property. */
export function formatTable(results: PropertyResult[]): string {
  const rows = results.map((result) => [
    result.name,
    String(result.runs),
    result.reason ? `${result.verdict} (${result.reason})` : result.verdict,
    result.seconds.toFixed(2),
    result.seconds > 0 && result.runs > 0 ? (result.runs / result.seconds).toFixed(1) : '-',
  ]);
  const header = ['property', 'runs', 'verdict', 'seconds', 'runs/s'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 || i === 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/**
 * A result as the run summary (reports/schema.ts) records it. `seed` is the seed the run was started with, so a
 * passing property can be run again the same way; `replay` is the command that replays a failure.
 */
export function summaryResult(result: PropertyResult, seed: number, replay: string | null): SummaryPropertyResult {
  const failure = result.failure;
  return {
    name: result.name,
    verdict: result.verdict === 'passed' ? 'pass' : result.verdict === 'failed' ? 'fail' : 'not-applicable',
    runs: result.runs,
    seconds: result.seconds,
    runsPerSecond: result.seconds > 0 ? result.runs / result.seconds : 0,
    seed: failure?.seed ?? seed,
    path: failure ? failure.path : null,
    replay: failure ? replay : null,
    reason: result.reason ?? null,
    counterexample: failure
      ? {
          commands: failure.commands,
          error: failure.error,
          history: failure.exchanges.map((exchange) => formatExchanges([exchange]).replace(/\n\s*/g, ' ')),
          ...(failure.timeline ? { timeline: { svg: failure.timeline.svg, markdown: failure.timeline.markdown } } : {}),
        }
      : null,
  };
}
