import type { Check, Figure, LoadModel, RunSummary, Target } from './schema.ts';

/** Number formatting shared by the Markdown and HTML reports, so both show a figure the same way. */
export const fmt = {
  rate: (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1)),
  ms: (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)),
  seconds: (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(2)),
  ratio: (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(2)}x`),
  change: (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`,
  bytes: (value: number) => `${(value / 1024 / 1024).toFixed(1)} MiB`,
  /** A scenario figure in its unit, or its note when the run never reached it. */
  figureOf(figure: Figure): string {
    return figure.value === null ? (figure.note ?? 'not reached') : fmt.figure(figure.value, figure.unit);
  },
  /** A scenario figure in its unit, with bytes in MiB and sub-second durations in milliseconds. */
  figure(value: number, unit: string): string {
    if (unit === 'bytes') return `${value < 0 ? '-' : ''}${fmt.bytes(Math.abs(value))}`;
    if (unit === 's' && Math.abs(value) < 1) return `${fmt.ms(value * 1000)} ms`;
    return `${fmt.rate(value)} ${unit}`;
  },
};

export function describeTarget(target: Target): string {
  if (target.kind === 'url') {
    const through = target.adapter
      ? ` through adapter ${target.adapter.name}, which declares ${JSON.stringify(target.adapter.declares)}`
      : '';
    return `server at ${target.urls.join(', ')}${through}`;
  }
  const faults = target.faults.length > 0 ? ` with fault ${target.faults.join(', ')}` : '';
  return `reference server on the ${target.store} store${faults}`;
}

export function describeLoad(load: LoadModel): string {
  return load.model === 'closed'
    ? `closed, ${load.connections} connections`
    : `open, ${fmt.rate(load.ratePerSecond)}/s over ${load.connections} connections`;
}

export interface Tally {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
}

export function tally(checks: Check[]): Tally {
  const count = (verdict: Check['verdict']) => checks.filter((c) => c.verdict === verdict).length;
  return { total: checks.length, passed: count('pass'), failed: count('fail'), skipped: count('skip') };
}

/** One sentence under the verdict: what ran, where, on which machine and commit. */
export function describeRun(summary: RunSummary): string {
  const { run } = summary;
  const minutes = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 60_000;
  const git = run.git
    ? `commit ${run.git.commit.slice(0, 10)}${run.git.dirty ? ' (with local changes)' : ''}`
    : 'no git commit';
  const m = run.machine;
  return (
    `${describeTarget(run.target)}; ${git}; node ${m.node}, ${m.cpus} CPUs, ${m.platform}/${m.arch}` +
    `${m.loadAverage1m === undefined ? '' : `, load ${m.loadAverage1m.toFixed(2)}`}` +
    `${m.pinning ? `, server pinned to CPU ${m.pinning.server} and generator to CPU ${m.pinning.generator}` : ''}; ` +
    `${run.startedAt.replace('T', ' ').slice(0, 19)} UTC, ${minutes < 1 ? `${(minutes * 60).toFixed(0)} s` : `${minutes.toFixed(1)} min`}`
  );
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
