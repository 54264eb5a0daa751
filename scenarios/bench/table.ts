import type { BenchReport } from './bench.ts';

/**
 * The bench as a person reads it: one row per target with its speed over the calibration and over its peer (the
 * koa-session baseline on the same store, by requests/s and by server CPU per request), then each goal with its
 * verdict, then any problem.
 */
export function formatBench(report: BenchReport): string {
  const calibration = report.results.find((r) => r.role === 'calibration')?.id;
  const cpu = new Map(report.results.map((r) => [r.id, r.serverCpuMicrosPerRequest]));
  const header = [
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'server CPU us/req',
    ...(calibration ? [`x ${calibration}`] : []),
    'x peer',
    'x peer by CPU',
    'peer',
    'non-2xx',
    'errors',
  ];
  const rows = report.results.map((r) => {
    const peerCpu = r.peer === null ? undefined : cpu.get(r.peer);
    return [
      r.id,
      r.figures.requestsPerSecond.toFixed(0),
      r.figures.latencyMs.p50.toFixed(2),
      r.figures.latencyMs.p99.toFixed(2),
      r.serverCpuMicrosPerRequest.toFixed(1),
      ...(calibration ? [formatRatio(r.ratios[calibration] ?? null)] : []),
      r.peer === null ? '' : formatRatio(r.ratios[r.peer] ?? null),
      peerCpu && r.serverCpuMicrosPerRequest > 0 ? formatRatio(peerCpu / r.serverCpuMicrosPerRequest) : '',
      r.peer ?? '',
      String(r.figures.non2xx),
      String(r.figures.errors),
    ];
  });
  const lines = [table(header, rows), ''];
  const { durationSeconds, connections, warmupSeconds, rounds } = report.options;
  const { cpus, node, loadAverage1m } = report.machine;
  lines.push(
    `${durationSeconds} s per target in ${rounds} interleaved rounds after ${warmupSeconds} s warm-up, ` +
      `${connections} connections each keeping its session; ` +
      `${cpus} CPUs, node ${node}, load average ${loadAverage1m.toFixed(2)} at start`,
    '',
  );
  for (const goal of report.goals) {
    lines.push(
      `${goal.met ? 'met    ' : 'NOT MET'}  ${goal.target} >= ${goal.minimumRatio.toFixed(2)}x ${goal.baseline}: ` +
        `${formatRatio(goal.ratio)} by requests/s (${formatRatio(goal.cpuRatio)} by server CPU per request)`,
    );
  }
  const broken = report.results.filter((r) => r.problems.length > 0);
  if (broken.length > 0) {
    lines.push(
      '',
      `BENCH INVALID: ${broken.length} target(s) had errors, so their figures do not measure the intended workload`,
    );
    for (const r of broken) for (const problem of r.problems) lines.push(`  ${r.id}: ${problem}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatRatio(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)}x`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
