import { buildSummary, currentGit, currentMachine, newRunId } from '../../reports/summary.ts';
import type { BenchSection, RunSummary } from '../../reports/schema.ts';
import type { BenchReport } from './bench.ts';

/**
 * The bench as the run summary's `bench` section: targets with their figures, the goals as `{target, over}`. The
 * section names one baseline (the memory koa-session, which the derived `throughput / baseline` ratios divide by);
 * each subject also names its peer, the koa-session on its own store, for the `/ peer` ratios.
 */
export function benchSection(report: BenchReport): BenchSection {
  const calibration = report.results.find((r) => r.role === 'calibration');
  const baseline =
    report.results.find((r) => r.role === 'baseline' && r.id === 'koa-session') ??
    report.results.find((r) => r.role === 'baseline');
  if (!calibration || !baseline) throw new Error('a bench summary needs a calibration and a baseline target');
  const { durationSeconds, connections, warmupSeconds, rounds } = report.options;
  return {
    durationSeconds,
    connections,
    warmupSeconds,
    rounds,
    calibration: calibration.id,
    baseline: baseline.id,
    targets: report.results.map((r) => ({
      id: r.id,
      label: r.label,
      role: r.role === 'calibration' || r.role === 'baseline' ? r.role : 'subject',
      requestsPerSecond: r.figures.requestsPerSecond,
      latencyMs: { p50: r.figures.latencyMs.p50, p99: r.figures.latencyMs.p99 },
      serverCpuMicrosPerRequest: r.serverCpuMicrosPerRequest,
      ...(r.peer === null ? {} : { peer: r.peer }),
      problems: r.problems,
    })),
    goals: report.goals.map((g) => ({ target: g.target, over: g.baseline, minimumRatio: g.minimumRatio })),
  };
}

/** A whole, schema-valid run summary holding only the bench. */
export function benchSummary(
  report: BenchReport,
  run: { command: string; stores: string[]; finishedAt?: Date },
): RunSummary {
  return buildSummary({
    run: {
      id: newRunId(`bench-${run.stores.join('-')}`, new Date(report.startedAt)),
      command: run.command,
      startedAt: report.startedAt,
      finishedAt: (run.finishedAt ?? new Date()).toISOString(),
      git: currentGit(),
      machine: { ...currentMachine(), loadAverage1m: report.machine.loadAverage1m },
      target: { kind: 'reference', store: run.stores.join('+'), faults: [] },
    },
    bench: benchSection(report),
  });
}
