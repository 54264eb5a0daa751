import { describeLoad, fmt } from '../reports/format.ts';
import { meets } from '../reports/checks.ts';
import type { Percentiles, ScenarioResult } from '../reports/schema.ts';

/** A scenario's result as a person reads it at the end of a run: load and latency, phases, counters, figures. */
export function formatScenario(result: ScenarioResult): string {
  const lines = [
    `${result.scenario} on ${result.store}: ${describeLoad(result.load)} (the ${result.load.model} model), ` +
      `${result.requests} requests in ${fmt.seconds(result.durationSeconds)} s, ${fmt.rate(result.requestsPerSecond)} req/s`,
    ...(result.parameters
      ? [
          `parameters: ${Object.entries(result.parameters)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        ]
      : []),
    '',
  ];
  const latencyRows = [['uncorrected', ...percentileCells(result.latencyMs.uncorrected)]];
  if (result.latencyMs.corrected)
    latencyRows.push(['corrected for coordinated omission', ...percentileCells(result.latencyMs.corrected)]);
  for (const phase of result.phases)
    latencyRows.push([
      `phase ${phase.name} (${fmt.rate(phase.requestsPerSecond)} req/s)`,
      ...percentileCells(phase.latencyMs),
    ]);
  lines.push(table(['latency (ms, HDR, us resolution)', 'p50', 'p90', 'p99', 'p99.9', 'max'], latencyRows), '');
  lines.push(
    table(
      ['counter', 'value', 'expected', 'verdict'],
      result.counters.map((c) => [
        c.name,
        String(c.value),
        c.expect ? `${c.expect.op} ${c.expect.value}` : '',
        c.expect ? (meets(c.value, c.expect) ? 'pass' : 'FAIL') : '',
      ]),
    ),
    '',
  );
  if (result.figures.length > 0)
    lines.push(
      table(
        ['figure', 'value', 'unit'],
        result.figures.map((f) => [f.name, f.value === null ? (f.note ?? 'not reached') : String(f.value), f.unit]),
      ),
      '',
    );
  for (const distribution of result.distributions) {
    lines.push(
      `${distribution.name}: ${distribution.buckets.map((b) => `${b.count} ${distribution.of}${b.count === 1 ? '' : 's'} x ${b.value}`).join(', ')}`,
    );
  }
  if (result.memory) {
    lines.push(
      `server memory: RSS ${fmt.bytes(result.memory.before.rssBytes)} -> ${fmt.bytes(result.memory.after.rssBytes)}, ` +
        `heap after GC ${fmt.bytes(result.memory.before.heapUsedBytes)} -> ${fmt.bytes(result.memory.after.heapUsedBytes)}`,
    );
  } else if (result.store === 'external') {
    lines.push('server memory: unknown (a --target server is not a process this run can measure)');
  }
  return `${lines.join('\n')}\n`;
}

function percentileCells(p: Percentiles): string[] {
  return [p.p50, p.p90, p.p99, p.p999, p.max].map(fmt.ms);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
