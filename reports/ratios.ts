import type { BenchSection, BenchTarget, Phase, RunSummary, ScenarioResult } from './schema.ts';

/**
 * Speed as ratios of figures measured in the same run. A slower machine slows the server and its calibration
 * alike, so these hold still where absolute requests per second and milliseconds do not.
 */
export interface SpeedRatio {
  /** Stable between runs: the gate matches figures by name and `--tolerance-for` names them. */
  name: string;
  value: number;
  /** Whether a larger value is better (throughput) or worse (latency). */
  better: 'higher' | 'lower';
  /** How the ratio was formed, for a person reading the gate's table. */
  formula: string;
}

export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 && Number.isFinite(numerator) ? numerator / denominator : null;
}

function benchTarget(bench: BenchSection, id: string): BenchTarget | undefined {
  return bench.targets.find((t) => t.id === id);
}

/**
 * Each bench target's throughput and p99 over the calibration's; each subject's throughput over the baseline's, and
 * its throughput and CPU per request over its peer's on the same store.
 */
export function benchRatios(bench: BenchSection): SpeedRatio[] {
  const calibration = benchTarget(bench, bench.calibration);
  const baseline = benchTarget(bench, bench.baseline);
  const ratios: SpeedRatio[] = [];
  const push = (name: string, value: number | null, better: SpeedRatio['better'], formula: string) => {
    if (value !== null) ratios.push({ name, value, better, formula });
  };
  for (const target of bench.targets) {
    if (target.id === bench.calibration) continue;
    if (calibration) {
      push(
        `bench ${target.id} throughput / calibration`,
        ratio(target.requestsPerSecond, calibration.requestsPerSecond),
        'higher',
        `${target.id} req/s ÷ ${calibration.id} req/s`,
      );
      push(
        `bench ${target.id} p99 / calibration`,
        ratio(target.latencyMs.p99, calibration.latencyMs.p99),
        'lower',
        `${target.id} p99 ÷ ${calibration.id} p99`,
      );
      if (target.serverCpuMicrosPerRequest !== undefined && calibration.serverCpuMicrosPerRequest !== undefined) {
        push(
          `bench ${target.id} cpu per request / calibration`,
          ratio(target.serverCpuMicrosPerRequest, calibration.serverCpuMicrosPerRequest),
          'lower',
          `${target.id} CPU µs/req ÷ ${calibration.id} CPU µs/req`,
        );
      }
    }
    if (baseline && target.role === 'subject') {
      push(
        `bench ${target.id} throughput / baseline`,
        ratio(target.requestsPerSecond, baseline.requestsPerSecond),
        'higher',
        `${target.id} req/s ÷ ${baseline.id} req/s`,
      );
    }
    const peer = target.peer === undefined ? undefined : benchTarget(bench, target.peer);
    if (peer && target.role === 'subject') {
      push(
        `bench ${target.id} throughput / peer`,
        ratio(target.requestsPerSecond, peer.requestsPerSecond),
        'higher',
        `${target.id} req/s ÷ ${peer.id} req/s`,
      );
      if (target.serverCpuMicrosPerRequest !== undefined && peer.serverCpuMicrosPerRequest !== undefined) {
        push(
          `bench ${target.id} cpu per request / peer`,
          ratio(target.serverCpuMicrosPerRequest, peer.serverCpuMicrosPerRequest),
          'lower',
          `${target.id} CPU µs/req ÷ ${peer.id} CPU µs/req`,
        );
      }
    }
  }
  return ratios;
}

/** What a bench subject is compared with, and its throughput over that: its own peer, else the section's baseline. */
export function peerRatio(
  bench: BenchSection,
  ratios: SpeedRatio[],
  target: BenchTarget,
): { peer: string; value: number | null } | null {
  if (target.role !== 'subject') return null;
  const [peer, over] = target.peer === undefined ? [bench.baseline, 'baseline'] : [target.peer, 'peer'];
  return { peer, value: ratios.find((r) => r.name === `bench ${target.id} throughput / ${over}`)?.value ?? null };
}

export function scenarioKey(s: Pick<ScenarioResult, 'scenario' | 'store'>): string {
  return `${s.scenario}/${s.store}`;
}

/**
 * A scenario's throughput and p99 over the run's calibration, and each later phase over the first
 * (live throughput during a sweep over before it).
 */
export function scenarioRatios(scenario: ScenarioResult, summary: Pick<RunSummary, 'calibration'>): SpeedRatio[] {
  const key = scenarioKey(scenario);
  const ratios: SpeedRatio[] = [];
  const push = (name: string, value: number | null, better: SpeedRatio['better'], formula: string) => {
    if (value !== null) ratios.push({ name, value, better, formula });
  };
  const calibration = summary.calibration;
  if (calibration) {
    // Under an open model the arrival rate sets throughput, so only latency says anything about speed.
    if (scenario.load.model === 'closed') {
      push(
        `scenario ${key} throughput / calibration`,
        ratio(scenario.requestsPerSecond, calibration.requestsPerSecond),
        'higher',
        'scenario req/s ÷ calibration req/s',
      );
    }
    push(
      `scenario ${key} p99 / calibration`,
      ratio(scenario.latencyMs.uncorrected.p99, calibration.latencyMs.p99),
      'lower',
      'scenario p99 ÷ calibration p99',
    );
  }
  const [first, ...later] = scenario.phases.filter(measurable);
  for (const phase of first ? later : []) {
    push(
      `scenario ${key} ${phase.name} throughput / ${first!.name}`,
      ratio(phase.requestsPerSecond, first!.requestsPerSecond),
      'higher',
      `${phase.name} req/s ÷ ${first!.name} req/s`,
    );
    push(
      `scenario ${key} ${phase.name} p99 / ${first!.name}`,
      ratio(phase.latencyMs.p99, first!.latencyMs.p99),
      'lower',
      `${phase.name} p99 ÷ ${first!.name} p99`,
    );
  }
  return ratios;
}

/**
 * A phase too short to hold a steady sample (a sweep of a small population is over in milliseconds) gives ratios
 * that swing tenfold between identical runs; such phases are shown in reports but never compared.
 */
export const minPhaseRequests = 1000;
export const minPhaseSeconds = 1;

function measurable(phase: Phase): boolean {
  return phase.requests >= minPhaseRequests && phase.endSecond - phase.startSecond >= minPhaseSeconds;
}

export function speedRatios(summary: RunSummary): SpeedRatio[] {
  return [
    ...(summary.bench ? benchRatios(summary.bench) : []),
    ...(summary.scenarios ?? []).flatMap((s) => scenarioRatios(s, summary)),
  ];
}
