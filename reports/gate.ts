import { formatExpectation, meets } from './checks.ts';
import { fmt } from './format.ts';
import { scenarioKey, speedRatios } from './ratios.ts';
import type { Check, Counter, RunSummary } from './schema.ts';

export interface GateOptions {
  /** Allowed relative worsening of a speed ratio, e.g. 0.15 for 15 %. */
  tolerance: number;
  /** Per-figure tolerances: `pattern` is a figure name, `*` matching any run of characters; the last match wins. */
  toleranceFor: { pattern: string; tolerance: number }[];
}

export type GateVerdict = 'ok' | 'improved' | 'new' | 'REGRESSED';

export interface GateRow {
  figure: string;
  kind: 'counter' | 'ratio' | 'check';
  baseline: string;
  current: string;
  change: string;
  verdict: GateVerdict;
  /** For a regression: what regressed and by how much, in one sentence. */
  reason?: string;
}

export interface GateResult {
  rows: GateRow[];
  regressions: GateRow[];
  passed: boolean;
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

export function toleranceOf(figure: string, options: GateOptions): number {
  let tolerance = options.tolerance;
  for (const { pattern, tolerance: t } of options.toleranceFor) if (globToRegExp(pattern).test(figure)) tolerance = t;
  return tolerance;
}

function correctnessCounters(summary: RunSummary): Map<string, Counter> {
  const counters = new Map<string, Counter>();
  for (const s of summary.scenarios ?? [])
    for (const c of s.counters) if (c.expect) counters.set(`scenario ${scenarioKey(s)}: ${c.name}`, c);
  return counters;
}

/**
 * Correctness counters, exactly: every counter must meet its expectation (`lost updates == 0`; one lost update
 * fails), whatever the baseline shows, so a run that fixes a failing baseline is not reported as a regression.
 */
function compareCounters(baseline: RunSummary, current: RunSummary): GateRow[] {
  const before = correctnessCounters(baseline);
  const after = correctnessCounters(current);
  const rows: GateRow[] = [];
  for (const [figure, b] of before) {
    const c = after.get(figure);
    if (!c) {
      rows.push({
        figure,
        kind: 'counter',
        baseline: String(b.value),
        current: 'missing',
        change: '',
        verdict: 'REGRESSED',
        reason: `${figure} is missing from the current run (baseline ${b.value})`,
      });
      continue;
    }
    const change = c.value - b.value;
    const changeText = change === 0 ? '0' : `${change > 0 ? '+' : ''}${change}`;
    const expect = c.expect!;
    const reason = meets(c.value, expect)
      ? undefined
      : `${figure} is ${c.value}, expected ${formatExpectation(expect)} (baseline ${b.value}, off by ${changeText})`;
    rows.push({
      figure,
      kind: 'counter',
      baseline: String(b.value),
      current: String(c.value),
      change: changeText,
      verdict: reason ? 'REGRESSED' : 'ok',
      ...(reason ? { reason } : {}),
    });
  }
  for (const [figure, c] of after) {
    if (before.has(figure)) continue;
    const ok = meets(c.value, c.expect!);
    rows.push({
      figure,
      kind: 'counter',
      baseline: 'absent',
      current: String(c.value),
      change: '',
      verdict: ok ? 'new' : 'REGRESSED',
      ...(ok ? {} : { reason: `${figure} is ${c.value}, expected ${formatExpectation(c.expect!)}` }),
    });
  }
  return rows;
}

/** Speed ratios within each run, compared as relative change against the tolerance. */
function compareRatios(baseline: RunSummary, current: RunSummary, options: GateOptions): GateRow[] {
  const after = new Map(speedRatios(current).map((r) => [r.name, r]));
  const rows: GateRow[] = [];
  for (const b of speedRatios(baseline)) {
    const c = after.get(b.name);
    after.delete(b.name);
    if (!c) {
      rows.push({
        figure: b.name,
        kind: 'ratio',
        baseline: b.value.toFixed(3),
        current: 'missing',
        change: '',
        verdict: 'REGRESSED',
        reason: `${b.name} is missing from the current run`,
      });
      continue;
    }
    const tolerance = toleranceOf(b.name, options);
    const change = b.value > 0 ? c.value / b.value - 1 : 0;
    const worse = b.better === 'higher' ? -change : change;
    const verdict: GateVerdict = worse > tolerance ? 'REGRESSED' : worse < -tolerance ? 'improved' : 'ok';
    const direction = b.better === 'higher' ? 'dropped' : 'rose';
    rows.push({
      figure: b.name,
      kind: 'ratio',
      baseline: b.value.toFixed(3),
      current: c.value.toFixed(3),
      change: fmt.change(change),
      verdict,
      ...(verdict === 'REGRESSED'
        ? {
            reason: `${b.name} ${direction} from ${b.value.toFixed(3)} to ${c.value.toFixed(3)} (${fmt.change(change)}, tolerance ${(tolerance * 100).toFixed(0)}%; ${b.formula})`,
          }
        : {}),
    });
  }
  for (const c of after.values())
    rows.push({
      figure: c.name,
      kind: 'ratio',
      baseline: 'absent',
      current: c.value.toFixed(3),
      change: '',
      verdict: 'new',
    });
  return rows;
}

/** Checks: a check that fails now, or that passed in the baseline and did not run now, is a regression. */
function compareChecks(baseline: RunSummary, current: RunSummary): GateRow[] {
  const after = new Map(current.checks.map((c) => [c.name, c]));
  const rows: GateRow[] = [];
  const row = (figure: string, b: Check | undefined, c: Check | undefined, reason?: string): GateRow => ({
    figure,
    kind: 'check',
    baseline: b?.verdict ?? 'absent',
    current: c?.verdict ?? 'missing',
    change: '',
    verdict: reason ? 'REGRESSED' : b ? 'ok' : 'new',
    ...(reason ? { reason } : {}),
  });
  for (const b of baseline.checks) {
    const c = after.get(b.name);
    after.delete(b.name);
    if (!c) rows.push(row(b.name, b, c, `check ${b.name} is missing from the current run`));
    else if (c.verdict === 'fail')
      rows.push(
        row(
          b.name,
          b,
          c,
          `check ${b.name} fails: expected ${c.expected}, got ${c.actual}${c.replay ? `; replay: ${c.replay}` : ''}`,
        ),
      );
    else if (b.verdict === 'pass' && c.verdict === 'skip')
      rows.push(
        row(
          b.name,
          b,
          c,
          `check ${b.name} passed in the baseline but was skipped now${c.message ? ` (${c.message})` : ''}`,
        ),
      );
    else rows.push(row(b.name, b, c));
  }
  for (const c of after.values())
    rows.push(
      row(
        c.name,
        undefined,
        c,
        c.verdict === 'fail' ? `check ${c.name} fails: expected ${c.expected}, got ${c.actual}` : undefined,
      ),
    );
  return rows;
}

/**
 * Compares a run with a baseline run. Correctness is compared exactly, speed only as ratios formed inside each run
 * (never absolute times), so the same code on a slower machine passes and a slower server on the same machine fails.
 */
export function compareRuns(baseline: RunSummary, current: RunSummary, options: GateOptions): GateResult {
  const rows = [
    ...compareCounters(baseline, current),
    ...compareRatios(baseline, current, options),
    ...compareChecks(baseline, current),
  ];
  const regressions = rows.filter((r) => r.verdict === 'REGRESSED');
  return { rows, regressions, passed: regressions.length === 0 };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The gate's output: every counter and ratio, the checks that are not simply passing in both runs, then the verdict. */
export function formatGate(result: GateResult, labels: { baseline: string; current: string }): string {
  const figures = result.rows.filter((r) => r.kind !== 'check');
  const checks = result.rows.filter((r) => r.kind === 'check');
  const notable = checks.filter((r) => !(r.verdict === 'ok' && r.baseline === r.current));
  const lines = [`baseline: ${labels.baseline}`, `current:  ${labels.current}`, ''];
  if (figures.length > 0)
    lines.push(
      table(
        ['figure', 'baseline', 'current', 'change', 'verdict'],
        figures.map((r) => [r.figure, r.baseline, r.current, r.change, r.verdict]),
      ),
      '',
    );
  lines.push(`checks: ${checks.length - notable.length} with the same verdict in both runs`);
  if (notable.length > 0)
    lines.push(
      table(
        ['check', 'baseline', 'current', 'verdict'],
        notable.map((r) => [r.figure, r.baseline, r.current, r.verdict]),
      ),
    );
  lines.push('');
  if (result.passed)
    lines.push(`GATE PASSED: ${figures.length} figures and ${checks.length} checks hold against the baseline`);
  else {
    lines.push(`GATE FAILED: ${result.regressions.length} regression(s)`);
    for (const r of result.regressions) lines.push(`  - ${r.reason ?? r.figure}`);
  }
  return `${lines.join('\n')}\n`;
}
