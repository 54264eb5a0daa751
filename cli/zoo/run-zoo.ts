import { families as allFamilies } from '../../properties/families/index.ts';
import type { PropertyDefinition } from '../../properties/property.ts';
import { formatFailure } from '../../properties/report.ts';
import type { PropertyResult } from '../../properties/runner.ts';
import { median } from '../../reports/format.ts';
import type { ScenarioResult, ZooFault, ZooOutcome, ZooSection } from '../../reports/schema.ts';
import { faults as catalogue, findFault, type Fault } from '../../server/faults/index.ts';
import { sweepProperties, type PropertySweep } from './properties.ts';
import { propertyReplay, scenarioReplay, type ZooServerSpec } from './replay.ts';
import { scenarioColumns, smallRuns, sweepScenarios, type ScenarioSweep } from './scenarios.ts';
import { zooTarget } from './target.ts';

export interface ZooOptions {
  /** `memory` (default) or a Redis or PostgreSQL URL. */
  store?: string;
  /** Fault ids to run (default: the whole catalogue). */
  only?: readonly string[];
  /** Runs per property family (each family's runShare applies). */
  runs: number;
  seed?: number;
  /** Every property and scenario check against every fault, not only until the first failure. */
  matrix?: boolean;
  /** Skip the clean server (a caller that ran it already); the zoo's verdict then covers the faults only. */
  skipClean?: boolean;
  families?: readonly PropertyDefinition[];
  progress?: (line: string) => void;
}

export interface ZooRow extends ZooFault {
  /** The property results and scenario checks this fault ran through. */
  properties: PropertyResult[];
  scenarioChecks: ScenarioSweep['checks'];
}

export interface ZooResult {
  section: ZooSection;
  rows: ZooRow[];
  /** The clean server's property results and scenario results, for the run summary. */
  clean: { properties: PropertyResult[]; scenarios: ScenarioResult[] } | null;
  /** Median over detected faults; null when none was detected. */
  medianSecondsToDetect: number | null;
  /** True when the clean server passed everything and every fault was detected. */
  passed: boolean;
  seconds: number;
}

/** Instances a fault needs: two over one store for faults that only show across instances, else one. */
export function instancesFor(fault: Fault): number {
  return fault.multiInstance ? 2 : 1;
}

/** Sweeps the families against a fresh server built to `spec`, closed whatever the outcome. */
async function sweepOn(
  spec: ZooServerSpec,
  families: readonly PropertyDefinition[],
  options: Parameters<typeof sweepProperties>[2],
): Promise<PropertySweep> {
  const target = await zooTarget(spec);
  try {
    return await sweepProperties(families, target, options);
  } finally {
    await target.close();
  }
}

function outcomesOf(
  properties: PropertySweep | null,
  scenarios: ScenarioSweep | null,
  failed: ZooOutcome,
): Record<string, ZooOutcome> {
  const outcomes: Record<string, ZooOutcome> = {};
  for (const result of properties?.results ?? []) {
    outcomes[result.name] =
      result.verdict === 'failed' ? failed : result.verdict === 'passed' ? 'passed' : 'not-applicable';
  }
  for (const check of scenarios?.checks ?? []) outcomes[check.column] = check.passed ? 'passed' : failed;
  return outcomes;
}

/**
 * The fault zoo: the clean server must pass every property family and scenario check; then each fault in turn, on
 * a fresh server, must fail at least one of them. The zoo tells the server which fault to switch on and nothing
 * else: the suites and checks it runs are the general ones.
 */
export async function runZoo(options: ZooOptions): Promise<ZooResult> {
  const started = performance.now();
  const store = options.store ?? 'memory';
  const families = options.families ?? allFamilies;
  const progress = options.progress ?? (() => {});
  const selected = options.only ? options.only.map(findFault) : [...catalogue];
  const matrix = options.matrix ?? false;
  const seed = options.seed === undefined ? {} : { seed: options.seed };
  const columns = [...families.map((family) => family.name), ...scenarioColumns];
  const addColumns = (outcomes: Record<string, ZooOutcome>) => {
    for (const column of Object.keys(outcomes)) if (!columns.includes(column)) columns.push(column);
  };

  let clean: ZooResult['clean'] = null;
  let cleanSection: ZooSection['clean'] = { passed: true, failures: [], outcomes: {} };
  if (!options.skipClean) {
    const spec: ZooServerSpec = { store, faults: [], instances: 2 };
    progress(
      `clean server (${store}, 2 instances): ${families.length} properties x ${options.runs} runs, then ${scenarioColumns.length} scenario checks`,
    );
    const properties = await sweepOn(spec, families, {
      runs: options.runs,
      ...seed,
      all: true,
      onResult: (result) => {
        progress(`  ${result.name}: ${result.verdict} (${result.runs} runs, ${result.seconds.toFixed(1)} s)`);
        if (result.verdict === 'failed') progress(formatFailure(result, null).replace(/^/gm, '    '));
      },
    });
    const scenarios = await sweepScenarios({
      store,
      faults: [],
      all: true,
      onCheck: (check) => progress(`  ${check.column}: ${check.passed ? 'passed' : `FAILED (${check.message})`}`),
    });
    const failures = [
      ...properties.results.filter((result) => result.verdict === 'failed').map((result) => result.name),
      ...scenarios.checks.filter((check) => !check.passed).map((check) => check.column),
    ];
    cleanSection = { passed: failures.length === 0, failures, outcomes: outcomesOf(properties, scenarios, 'detected') };
    addColumns(cleanSection.outcomes);
    clean = { properties: properties.results, scenarios: scenarios.results };
  }

  const rows: ZooRow[] = [];
  for (const [index, fault] of selected.entries()) {
    const spec: ZooServerSpec = { store, faults: [fault.id], instances: instancesFor(fault) };
    progress(
      `[${index + 1}/${selected.length}] ${fault.id} (${spec.instances} instance${spec.instances > 1 ? 's' : ''})`,
    );
    const properties = await sweepOn(spec, families, {
      runs: options.runs,
      ...seed,
      all: matrix,
      onResult: (result) =>
        progress(
          `  ${result.name}: ${result.verdict === 'failed' ? 'DETECTED' : result.verdict} (${result.runs} runs, ${result.seconds.toFixed(1)} s)`,
        ),
    });
    const scenarios =
      matrix || properties.detection === null
        ? await sweepScenarios({
            store,
            faults: [fault.id],
            all: matrix,
            onCheck: (check) =>
              progress(`  ${check.column}: ${check.passed ? 'passed' : `DETECTED (${check.message})`}`),
          })
        : null;
    rows.push(row(fault, spec, properties, scenarios));
    addColumns(rows.at(-1)!.outcomes);
    const last = rows.at(-1)!;
    progress(
      last.detected
        ? `  -> detected by ${last.firstFailure!.name} after ${last.runsToDetect ?? '-'} runs, ${last.secondsToDetect?.toFixed(1) ?? '-'} s`
        : '  -> NOT DETECTED',
    );
  }

  const section: ZooSection = {
    store,
    columns,
    clean: cleanSection,
    faults: rows.map(({ properties: _p, scenarioChecks: _s, ...fault }) => fault),
  };
  const medianSecondsToDetect = median(
    rows.flatMap((r) => (r.detected && r.secondsToDetect !== null ? [r.secondsToDetect] : [])),
  );
  return {
    section,
    rows,
    clean,
    medianSecondsToDetect,
    passed: cleanSection.passed && rows.every((r) => r.detected),
    seconds: (performance.now() - started) / 1000,
  };
}

function row(fault: Fault, spec: ZooServerSpec, properties: PropertySweep, scenarios: ScenarioSweep | null): ZooRow {
  const base = {
    fault: fault.id,
    description: fault.description,
    outcomes: outcomesOf(properties, scenarios, 'detected'),
    properties: properties.results,
    scenarioChecks: scenarios?.checks ?? [],
  };
  const byProperty = properties.detection;
  if (byProperty) {
    const { result } = byProperty;
    return {
      ...base,
      detected: true,
      firstFailure: { kind: 'property', name: result.name, message: result.failure?.error ?? 'failed' },
      runsToDetect: byProperty.runs,
      secondsToDetect: byProperty.seconds,
      replay: propertyReplay(result, spec),
    };
  }
  const byScenario = scenarios?.detection;
  if (byScenario) {
    const spent = properties.results.reduce((sum, result) => sum + result.seconds, 0);
    return {
      ...base,
      detected: true,
      firstFailure: { kind: 'scenario', name: byScenario.check.column, message: byScenario.check.message },
      runsToDetect: properties.results.reduce((sum, result) => sum + result.runs, 0),
      secondsToDetect: spent + byScenario.seconds,
      replay: scenarioReplay(byScenario.check.scenario, smallRuns[byScenario.check.scenario], spec),
    };
  }
  return { ...base, detected: false, firstFailure: null, runsToDetect: null, secondsToDetect: null, replay: null };
}
