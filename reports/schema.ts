/**
 * The run summary: the one file every sessionproof run writes (`summary.json`) and every report, JUnit file and gate
 * reads. Documented for people in reports/SCHEMA.md; checked at runtime by reports/validate.ts.
 *
 * Conventions: times of day are ISO 8601 strings; durations are seconds unless the name says otherwise; latencies
 * are milliseconds (fractional, microsecond resolution); throughput is completed requests per second. Speed ratios
 * are not stored: reports/ratios.ts derives them from the figures of one run, so a report and the gate cannot
 * disagree about them.
 */

export const schemaVersion = 1;

export interface RunSummary {
  schemaVersion: typeof schemaVersion;
  run: RunMetadata;
  /** `fail` when any check failed; `pass` otherwise. Kept in the file for tools that read only this field. */
  verdict: 'pass' | 'fail';
  /**
   * A bare node:http server measured in this run with the same client. Scenario speed is divided by it, so a
   * figure means the same on a slow CI machine as on a laptop. Absent when the run measured no calibration.
   */
  calibration?: Calibration;
  properties?: PropertyResult[];
  scenarios?: ScenarioResult[];
  zoo?: ZooSection;
  bench?: BenchSection;
  /** Every pass/fail check of the run, whatever produced it; JUnit and the gate read these uniformly. */
  checks: Check[];
}

export interface RunMetadata {
  /** Unique per run and safe as a folder name (letters, digits, `.`, `_`, `-`): reports land in reports/out/<id>/. */
  id: string;
  /** The command that produced the run, as a person would type it to repeat it. */
  command: string;
  startedAt: string;
  finishedAt: string;
  /** The checkout the run measured; null outside a git checkout. */
  git: { commit: string; dirty: boolean } | null;
  machine: Machine;
  /** What was tested: the reference server on a store (with faults, if any), or a user's server by URL. */
  target: Target;
}

export interface Machine {
  node: string;
  cpus: number;
  cpuModel?: string;
  platform: string;
  arch: string;
  totalMemoryBytes?: number;
  /** One-minute load average when the run started: a busy machine explains noisy figures. */
  loadAverage1m?: number;
  /** The CPU lists the server and the load generator were pinned to (`--pin-cpus`), e.g. "1" and "0". */
  pinning?: { server: string; generator: string };
}

export type Target =
  | { kind: 'reference'; store: string; faults: string[] }
  /** A user's app; `adapter` when it was reached through one, with what the adapter declares about the app. */
  | { kind: 'url'; urls: string[]; adapter?: { name: string; declares: Record<string, unknown> } };

export interface Calibration {
  requestsPerSecond: number;
  latencyMs: Percentiles;
  connections: number;
  durationSeconds: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

// ---------------------------------------------------------------------------------------------------- properties

export type PropertyVerdict = 'pass' | 'fail' | 'not-applicable';

export interface PropertyResult {
  name: string;
  verdict: PropertyVerdict;
  runs: number;
  seconds: number;
  runsPerSecond: number;
  /** fast-check seed of the run; with `path` it replays the failure exactly. */
  seed: number;
  /** fast-check path of the shrunk failure; null unless the property failed. */
  path: string | null;
  /** A command line that replays the failure; null unless the property failed. */
  replay: string | null;
  /** Why a property did not apply (what the target lacks); null otherwise. */
  reason: string | null;
  counterexample: Counterexample | null;
}

export interface Counterexample {
  /** The shrunk command list, as fast-check prints it. */
  commands: string;
  /** What the model and the server disagreed about. */
  error: string;
  /** The HTTP exchanges of the shrunk run, one line each (`POST /cart/items {...} -> 200 {...}`). */
  history: string[];
  /**
   * For a history no order explains (the `linearizable` family): its timeline as an inline SVG and a Markdown table,
   * the operations that admit no order highlighted. Absent for the other families.
   */
  timeline?: { svg: string; markdown: string };
}

// ----------------------------------------------------------------------------------------------------- scenarios

export type LoadModel =
  { model: 'closed'; connections: number } | { model: 'open'; ratePerSecond: number; connections: number };

export interface ScenarioResult {
  /** `refresh-storm`, `cleanup-under-load`, `cart-contention`, `session-churn`, or a user's own. */
  scenario: string;
  /** `memory`, `redis`, `postgres`, or `external` for a server given by URL. */
  store: string;
  load: LoadModel;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: {
    uncorrected: Percentiles;
    /** Corrected for coordinated omission (HDR expected-interval correction); null when the run made none. */
    corrected: Percentiles | null;
  };
  /** One point per second of the run, `second` counted from 0. */
  timeSeries: SeriesPoint[];
  /** Named windows of the run, in order (`before-sweep`, `during-sweep`, ...); empty when the run has one phase. */
  phases: Phase[];
  /** Correctness counters; a counter with `expect` is a check, one without is context. */
  counters: Counter[];
  /**
   * Other measurements worth showing (`sweep rate`, `time until every client is back to 200`, `generator CPU share`);
   * a figure the run never reached has a null value and a note.
   */
  figures: Figure[];
  /** Per-client or per-item distributions (`refresh calls per client`): how many had each value. */
  distributions: Distribution[];
  memory: { before: MemorySample; after: MemorySample } | null;
  /** The scenario's own settings, to say what ran and to repeat it (`clientKind: "naive"`, `parallel: 4`, `sessions`). */
  parameters?: Record<string, string | number | boolean>;
}

export interface SeriesPoint {
  second: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Phase {
  name: string;
  startSecond: number;
  endSecond: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: Percentiles;
}

export interface Counter {
  name: string;
  value: number;
  expect?: Expectation;
  /** With `expect`: what a failure means, for a person reading the report. */
  meaning?: string;
}

/** What a correct run shows: `==` exactly, `<=` at most, `>=` at least `value`. */
export interface Expectation {
  op: '==' | '<=' | '>=';
  value: number;
}

export interface Figure {
  name: string;
  /** Null when the run never reached what the figure measures; `note` then says what happened instead. */
  value: number | null;
  unit: string;
  /** Shown in place of a null value: `not reached (57 clients)`. */
  note?: string;
}

export interface Distribution {
  name: string;
  /** What one observation is, e.g. `client`. */
  of: string;
  /** Sorted by value; `count` observations had `value`. */
  buckets: { value: number; count: number }[];
}

export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
}

// ----------------------------------------------------------------------------------------------------------- zoo

export type ZooOutcome = 'detected' | 'passed' | 'not-run' | 'not-applicable';

export interface ZooSection {
  store: string;
  /** The matrix's columns, in order: property names and scenario checks (`cart-contention: lost updates`). */
  columns: string[];
  /** The clean server must pass every column. */
  clean: { passed: boolean; failures: string[]; outcomes: Record<string, ZooOutcome> };
  faults: ZooFault[];
}

export interface ZooFault {
  fault: string;
  description: string;
  detected: boolean;
  /** The first property or scenario check that failed; null when nothing did. */
  firstFailure: { kind: 'property' | 'scenario'; name: string; message: string } | null;
  runsToDetect: number | null;
  secondsToDetect: number | null;
  replay: string | null;
  /** One outcome per column; a column missing here was not run against this fault. */
  outcomes: Record<string, ZooOutcome>;
}

// --------------------------------------------------------------------------------------------------------- bench

export type BenchRole = 'calibration' | 'baseline' | 'subject';

export interface BenchSection {
  durationSeconds: number;
  connections: number;
  warmupSeconds: number;
  rounds: number;
  /** Id of the bare node:http target every ratio divides by. */
  calibration: string;
  /** Id of the peer library target (koa-session) the subjects are compared with. */
  baseline: string;
  targets: BenchTarget[];
  /** Minimum throughput ratios the run promises, each becoming a check. */
  goals: BenchGoal[];
}

export interface BenchTarget {
  id: string;
  label: string;
  role: BenchRole;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  /**
   * Server CPU time per request (user + system), when the bench measured it. CPU work per request moves far less
   * than throughput when other processes compete for the machine, so its ratio is the steadier speed figure.
   */
  serverCpuMicrosPerRequest?: number;
  /**
   * Id of the peer library target on the same store a subject is compared with (koa-session on Redis for the
   * reference server on Redis); without it a subject is compared with `baseline`.
   */
  peer?: string;
  /** What makes the figure untrustworthy (errors, non-2xx, lost sessions); empty for a clean measurement. */
  problems: string[];
}

export interface BenchGoal {
  target: string;
  /** Id of the target the throughput is divided by. */
  over: string;
  minimumRatio: number;
}

// -------------------------------------------------------------------------------------------------------- checks

export type CheckVerdict = 'pass' | 'fail' | 'skip';

export interface Check {
  /** Unique in the run and stable between runs: the gate matches checks by name. */
  name: string;
  source: 'property' | 'scenario' | 'zoo' | 'bench' | 'run';
  expected: string;
  actual: string;
  verdict: CheckVerdict;
  /** Why it failed or was skipped, for a person. */
  message?: string;
  /** A command that reproduces a failure. */
  replay?: string;
  seconds?: number;
}
