import type { Counter, Distribution, Figure, MemorySample, Phase, ScenarioResult } from '../reports/schema.ts';
import type { CheckDefinition } from './definitions/index.ts';
import type { DriveResult, LoadModelOptions } from './load/drive.ts';
import type { ProcessUsage } from './load/process-meter.ts';
import type { Target } from '../properties/targets.ts';

/** The server a scenario runs against: the reference server in a child process, or a user's by URL. */
export interface ScenarioServer {
  url: string;
  /** `memory`, `redis`, `postgres`, or `external` for a server given by URL. */
  store: string;
  /** The server process's memory now (after a full GC where the process allows it); null when unknown (--target). */
  memory(): Promise<MemorySample | null>;
  /** The server process's CPU time and event-loop delay since the previous call; null when unknown (--target). */
  usage(): Promise<ProcessUsage | null>;
}

/** What the person asked for; each scenario fills in its own defaults from its definition. */
export interface LoadRequestOptions {
  /** Set with --rate: the open model. */
  ratePerSecond?: number;
  /** --clients: clients (storm, cleanup) or connections (contention, churn). */
  clients?: number;
  durationSeconds?: number;
}

export interface ScenarioContext {
  server: ScenarioServer;
  /** How the scenario reaches the server: its adapter (contract v1 unless the user gave one), accounts and controls. */
  target: Target;
  load: LoadRequestOptions;
  progress: (line: string) => void;
}

/** The load model a scenario runs: open when a rate was given, closed otherwise. */
export function loadModel(load: LoadRequestOptions, connections: number): LoadModelOptions {
  return load.ratePerSecond === undefined
    ? { model: 'closed', connections }
    : { model: 'open', ratePerSecond: load.ratePerSecond, connections };
}

export interface ScenarioParts {
  counters: Counter[];
  figures?: Figure[];
  distributions?: Distribution[];
  phases?: Phase[];
  memory?: { before: MemorySample; after: MemorySample } | null;
  parameters?: Record<string, string | number | boolean>;
}

export function scenarioResult(
  scenario: string,
  store: string,
  driven: DriveResult,
  parts: ScenarioParts,
): ScenarioResult {
  return {
    scenario,
    store,
    load: driven.load,
    durationSeconds: driven.durationSeconds,
    requests: driven.requests,
    requestsPerSecond: driven.requestsPerSecond,
    latencyMs: driven.latencyMs,
    timeSeries: driven.timeSeries,
    phases: parts.phases ?? driven.phases,
    counters: [
      ...parts.counters,
      { name: 'connection errors', value: driven.errors },
      { name: 'timeouts', value: driven.timeouts },
      ...Object.entries(driven.statusCodes)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([status, count]) => ({ name: `responses ${status}`, value: count })),
    ],
    figures: parts.figures ?? [],
    distributions: parts.distributions ?? [],
    memory: parts.memory ?? null,
    ...(parts.parameters ? { parameters: parts.parameters } : {}),
  };
}

/** A correctness counter: the value with the check's expectation, and what a failure means for the report. */
export function checkedCounter(check: CheckDefinition, value: number): Counter {
  return { name: check.counter, value, expect: { op: check.op, value: check.value }, meaning: check.meaning };
}

/** How many clients had each value, sorted by value. */
export function distributionOf(name: string, of: string, values: readonly number[]): Distribution {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return { name, of, buckets: [...counts].sort(([a], [b]) => a - b).map(([value, count]) => ({ value, count })) };
}

/** The target cannot take this scenario (an operation, a test control or accounts it lacks): a skip, not a failure. */
export class ScenarioNotApplicable extends Error {
  override name = 'ScenarioNotApplicable';
}
