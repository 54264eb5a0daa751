import { describeRun, fmt, tally } from '../../reports/format.ts';
import { scenarioKey } from '../../reports/ratios.ts';
import type { Check, RunSummary } from '../../reports/schema.ts';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const verdictOf = (checks: Check[]): string => {
  const t = tally(checks);
  return t.failed > 0
    ? `FAIL (${t.failed} of ${t.total})`
    : t.total === 0
      ? '-'
      : t.skipped === t.total
        ? 'skipped'
        : 'pass';
};

/** What a person reads in the terminal at the end of `sessionproof run`: one line per part, then what failed. */
export function formatRunSummary(summary: RunSummary): string {
  const rows: string[][] = [];
  const checksOf = (source: Check['source'], prefix = '') =>
    summary.checks.filter((c) => c.source === source && c.name.startsWith(prefix));
  if (summary.calibration) {
    const c = summary.calibration;
    rows.push([
      'calibration',
      'bare node:http',
      `${fmt.rate(c.requestsPerSecond)} req/s, p99 ${fmt.ms(c.latencyMs.p99)} ms`,
      'context',
    ]);
  }
  for (const p of summary.properties ?? []) {
    rows.push([
      'property',
      p.name,
      p.verdict === 'not-applicable' ? `n/a: ${p.reason ?? ''}` : `${p.runs} runs, ${fmt.seconds(p.seconds)} s`,
      p.verdict === 'fail' ? 'FAIL' : p.verdict,
    ]);
  }
  for (const s of summary.scenarios ?? []) {
    const checks = checksOf('scenario', `scenario ${scenarioKey(s)}:`);
    const failed = checks.filter((c) => c.verdict === 'fail').map((c) => c.name.slice(c.name.indexOf(': ') + 2));
    const figures = `${fmt.rate(s.requestsPerSecond)} req/s, p99 ${fmt.ms(s.latencyMs.uncorrected.p99)} ms, ${checks.length} checks`;
    rows.push([
      'scenario',
      s.scenario,
      failed.length > 0 ? `${figures}; failed: ${failed.join(', ')}` : figures,
      verdictOf(checks),
    ]);
  }
  for (const c of checksOf('run').filter((check) => check.verdict !== 'pass'))
    rows.push(['run', c.name, c.message ?? c.actual, c.verdict === 'fail' ? 'FAIL' : c.verdict]);
  if (summary.zoo) {
    const detected = summary.zoo.faults.filter((f) => f.detected).length;
    rows.push([
      'zoo',
      `clean server (${summary.zoo.store})`,
      summary.zoo.clean.passed ? 'passed every check' : `failed ${summary.zoo.clean.failures.join(', ')}`,
      summary.zoo.clean.passed ? 'pass' : 'FAIL',
    ]);
    rows.push([
      'zoo',
      'faults detected',
      `${detected} of ${summary.zoo.faults.length}`,
      detected === summary.zoo.faults.length ? 'pass' : 'FAIL',
    ]);
  }
  const t = tally(summary.checks);
  const failed = summary.checks.filter((c) => c.verdict === 'fail');
  return [
    table(['part', 'name', 'result', 'verdict'], rows),
    '',
    `${summary.verdict === 'pass' ? 'PASSED' : 'FAILED'}: ${t.passed} of ${t.total} checks passed${t.failed ? `, ${t.failed} failed` : ''}${t.skipped ? `, ${t.skipped} skipped` : ''}`,
    `  ${describeRun(summary)}`,
    ...failed.map(
      (c) =>
        `  FAILED ${c.name}: expected ${c.expected}, got ${c.actual}${c.replay ? `\n         replay: ${c.replay}` : ''}`,
    ),
  ].join('\n');
}
