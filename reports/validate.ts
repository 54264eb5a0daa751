import { schemaVersion, type RunSummary } from './schema.ts';

/** A summary that does not match the schema; `problems` name each offending path (`scenarios[1].latencyMs.p99`). */
export class SummaryError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `not a valid sessionproof summary (schemaVersion ${schemaVersion}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** Checks one value at one path, adding a line to `problems` for each mismatch. */
type Spec = (value: unknown, path: string, problems: string[]) => void;

const describe = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'string'
        ? JSON.stringify(value).slice(0, 60)
        : typeof value === 'object'
          ? 'an object'
          : String(value);

const at = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

const number =
  (min = -Infinity): Spec =>
  (value, path, problems) => {
    if (typeof value !== 'number' || !Number.isFinite(value))
      problems.push(`${path}: expected a finite number, got ${describe(value)}`);
    else if (value < min) problems.push(`${path}: expected a number >= ${min}, got ${value}`);
  };
const nonNegative = number(0);
const integer: Spec = (value, path, problems) => {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    problems.push(`${path}: expected an integer >= 0, got ${describe(value)}`);
};
const string: Spec = (value, path, problems) => {
  if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${describe(value)}`);
};
const name: Spec = (value, path, problems) => {
  if (typeof value !== 'string' || value.trim() === '')
    problems.push(`${path}: expected a non-empty string, got ${describe(value)}`);
};
const boolean: Spec = (value, path, problems) => {
  if (typeof value !== 'boolean') problems.push(`${path}: expected true or false, got ${describe(value)}`);
};
const timestamp: Spec = (value, path, problems) => {
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(Date.parse(value))) {
    problems.push(`${path}: expected an ISO 8601 time, got ${describe(value)}`);
  }
};
const oneOf =
  (...allowed: (string | number)[]): Spec =>
  (value, path, problems) => {
    if (!allowed.includes(value as string))
      problems.push(
        `${path}: expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}`,
      );
  };
const nullable =
  (spec: Spec): Spec =>
  (value, path, problems) => {
    if (value !== null) spec(value, path, problems);
  };
const list =
  (spec: Spec): Spec =>
  (value, path, problems) => {
    if (!Array.isArray(value)) problems.push(`${path}: expected an array, got ${describe(value)}`);
    else value.forEach((item, i) => spec(item, at(path, i), problems));
  };
const record =
  (spec: Spec): Spec =>
  (value, path, problems) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      problems.push(`${path}: expected an object, got ${describe(value)}`);
    else for (const [key, item] of Object.entries(value)) spec(item, at(path, key), problems);
  };

/** An object with exactly these fields; a key ending in `?` may be absent. Unknown fields are errors: they are typos or a newer schema. */
const object =
  (fields: Record<string, Spec>): Spec =>
  (value, path, problems) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${path || 'summary'}: expected an object, got ${describe(value)}`);
      return;
    }
    const known = new Set<string>();
    for (const [key, spec] of Object.entries(fields)) {
      const optional = key.endsWith('?');
      const field = optional ? key.slice(0, -1) : key;
      known.add(field);
      const item = (value as Record<string, unknown>)[field];
      if (item === undefined) {
        if (!optional) problems.push(`${at(path, field)}: missing`);
      } else spec(item, at(path, field), problems);
    }
    for (const key of Object.keys(value)) if (!known.has(key)) problems.push(`${at(path, key)}: unknown field`);
  };

/** Picks the object spec by the value of one field. */
const tagged =
  (tag: string, variants: Record<string, Spec>): Spec =>
  (value, path, problems) => {
    const kind = (value as Record<string, unknown> | null)?.[tag];
    const spec = typeof kind === 'string' ? variants[kind] : undefined;
    if (spec) spec(value, path, problems);
    else
      problems.push(
        `${at(path, tag)}: expected one of ${Object.keys(variants)
          .map((k) => JSON.stringify(k))
          .join(', ')}, got ${describe(kind)}`,
      );
  };

const percentiles = object({
  p50: nonNegative,
  p90: nonNegative,
  p99: nonNegative,
  p999: nonNegative,
  max: nonNegative,
});

const machine = object({
  node: name,
  cpus: integer,
  'cpuModel?': string,
  platform: name,
  arch: name,
  'totalMemoryBytes?': integer,
  'loadAverage1m?': nonNegative,
  'pinning?': object({ server: name, generator: name }),
});

const runMetadata: Spec = (value, path, problems) => {
  object({
    id: name,
    command: string,
    startedAt: timestamp,
    finishedAt: timestamp,
    git: nullable(object({ commit: name, dirty: boolean })),
    machine,
    target: tagged('kind', {
      reference: object({ kind: string, store: name, faults: list(name) }),
      url: object({ kind: string, urls: list(name), 'adapter?': object({ name, declares: record(() => {}) }) }),
    }),
  })(value, path, problems);
  const id = (value as { id?: unknown } | null)?.id;
  if (typeof id === 'string' && !/^[A-Za-z0-9._-]+$/.test(id))
    problems.push(`${path}.id: must be letters, digits, ".", "_" or "-" (it names a folder), got ${describe(id)}`);
};

const property = object({
  name,
  verdict: oneOf('pass', 'fail', 'not-applicable'),
  runs: integer,
  seconds: nonNegative,
  runsPerSecond: nonNegative,
  seed: number(),
  path: nullable(string),
  replay: nullable(string),
  reason: nullable(string),
  counterexample: nullable(
    object({
      commands: string,
      error: string,
      history: list(string),
      'timeline?': object({ svg: string, markdown: string }),
    }),
  ),
});

const scalar: Spec = (value, path, problems) => {
  if (
    typeof value !== 'string' &&
    typeof value !== 'boolean' &&
    (typeof value !== 'number' || !Number.isFinite(value))
  ) {
    problems.push(`${path}: expected a string, finite number or boolean, got ${describe(value)}`);
  }
};

const expectation = object({ op: oneOf('==', '<=', '>='), value: number() });

const scenario = object({
  scenario: name,
  store: name,
  load: tagged('model', {
    closed: object({ model: string, connections: integer }),
    open: object({ model: string, ratePerSecond: nonNegative, connections: integer }),
  }),
  durationSeconds: nonNegative,
  requests: integer,
  requestsPerSecond: nonNegative,
  latencyMs: object({ uncorrected: percentiles, corrected: nullable(percentiles) }),
  timeSeries: list(
    object({ second: nonNegative, requestsPerSecond: nonNegative, p50Ms: nonNegative, p99Ms: nonNegative }),
  ),
  phases: list(
    object({
      name,
      startSecond: nonNegative,
      endSecond: nonNegative,
      requests: integer,
      requestsPerSecond: nonNegative,
      latencyMs: percentiles,
    }),
  ),
  counters: list(object({ name, value: number(), 'expect?': expectation, 'meaning?': string })),
  figures: list(object({ name, value: nullable(number()), unit: string, 'note?': string })),
  distributions: list(object({ name, of: name, buckets: list(object({ value: number(), count: integer })) })),
  memory: nullable(
    object({
      before: object({ rssBytes: integer, heapUsedBytes: integer }),
      after: object({ rssBytes: integer, heapUsedBytes: integer }),
    }),
  ),
  'parameters?': record(scalar),
});

const outcome = oneOf('detected', 'passed', 'not-run', 'not-applicable');

const zoo = object({
  store: name,
  columns: list(name),
  clean: object({ passed: boolean, failures: list(string), outcomes: record(outcome) }),
  faults: list(
    object({
      fault: name,
      description: string,
      detected: boolean,
      firstFailure: nullable(object({ kind: oneOf('property', 'scenario'), name, message: string })),
      runsToDetect: nullable(integer),
      secondsToDetect: nullable(nonNegative),
      replay: nullable(string),
      outcomes: record(outcome),
    }),
  ),
});

const bench = object({
  durationSeconds: nonNegative,
  connections: integer,
  warmupSeconds: nonNegative,
  rounds: integer,
  calibration: name,
  baseline: name,
  targets: list(
    object({
      id: name,
      label: string,
      role: oneOf('calibration', 'baseline', 'subject'),
      requestsPerSecond: nonNegative,
      latencyMs: object({ p50: nonNegative, p99: nonNegative }),
      'serverCpuMicrosPerRequest?': nonNegative,
      'peer?': name,
      problems: list(string),
    }),
  ),
  goals: list(object({ target: name, over: name, minimumRatio: nonNegative })),
});

const check = object({
  name,
  source: oneOf('property', 'scenario', 'zoo', 'bench', 'run'),
  expected: string,
  actual: string,
  verdict: oneOf('pass', 'fail', 'skip'),
  'message?': string,
  'replay?': string,
  'seconds?': nonNegative,
});

const summary = object({
  schemaVersion: oneOf(schemaVersion),
  run: runMetadata,
  verdict: oneOf('pass', 'fail'),
  'calibration?': object({
    requestsPerSecond: nonNegative,
    latencyMs: percentiles,
    connections: integer,
    durationSeconds: nonNegative,
  }),
  'properties?': list(property),
  'scenarios?': list(scenario),
  'zoo?': zoo,
  'bench?': bench,
  checks: list(check),
});

/** Rules across fields, checked once the shapes are right. */
function crossCheck(s: RunSummary, problems: string[]): void {
  const seen = new Set<string>();
  s.checks.forEach((c, i) => {
    if (seen.has(c.name))
      problems.push(
        `checks[${i}].name: duplicate check name ${JSON.stringify(c.name)} (the gate matches checks by name)`,
      );
    seen.add(c.name);
  });
  const failed = s.checks.find((c) => c.verdict === 'fail');
  if (s.verdict === 'pass' && failed)
    problems.push(`verdict: says "pass" but check ${JSON.stringify(failed.name)} failed`);
  if (s.verdict === 'fail' && !failed) problems.push('verdict: says "fail" but no check failed');
  if (Date.parse(s.run.finishedAt) < Date.parse(s.run.startedAt))
    problems.push('run.finishedAt: earlier than run.startedAt');
  if (s.zoo) {
    const columns = new Set(s.zoo.columns);
    const outcomeKeys = [
      ['zoo.clean.outcomes', s.zoo.clean.outcomes] as const,
      ...s.zoo.faults.map((f, i) => [`zoo.faults[${i}].outcomes`, f.outcomes] as const),
    ];
    for (const [path, outcomes] of outcomeKeys) {
      for (const key of Object.keys(outcomes))
        if (!columns.has(key)) problems.push(`${path}.${key}: not one of zoo.columns`);
    }
  }
  if (s.bench) {
    const ids = new Set(s.bench.targets.map((t) => t.id));
    if (!ids.has(s.bench.calibration))
      problems.push(`bench.calibration: no target has id ${JSON.stringify(s.bench.calibration)}`);
    if (!ids.has(s.bench.baseline))
      problems.push(`bench.baseline: no target has id ${JSON.stringify(s.bench.baseline)}`);
    s.bench.targets.forEach((t, i) => {
      if (t.peer !== undefined && !ids.has(t.peer))
        problems.push(`bench.targets[${i}].peer: no target has id ${JSON.stringify(t.peer)}`);
    });
    s.bench.goals.forEach((g, i) => {
      for (const key of ['target', 'over'] as const) {
        if (!ids.has(g[key])) problems.push(`bench.goals[${i}].${key}: no target has id ${JSON.stringify(g[key])}`);
      }
    });
  }
}

/** Returns the value as a summary, or throws a SummaryError naming every path that does not match the schema. */
export function validateSummary(value: unknown): RunSummary {
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== schemaVersion) {
    throw new SummaryError([
      `schemaVersion: this sessionproof reads version ${schemaVersion}, the file is version ${version}`,
    ]);
  }
  const problems: string[] = [];
  summary(value, '', problems);
  if (problems.length === 0) crossCheck(value as RunSummary, problems);
  if (problems.length > 0) throw new SummaryError(problems);
  return value as RunSummary;
}

/** Parses summary.json text; a JSON syntax error is reported with the file it came from. */
export function parseSummary(text: string, source = 'summary'): RunSummary {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SummaryError([`${source}: not JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  return validateSummary(value);
}
