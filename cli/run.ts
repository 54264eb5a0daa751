import { randomInt } from 'node:crypto';
import { isAbsolute, relative } from 'node:path';
import { loadAdapter } from '../adapters/load.ts';
import { declaredBy, targetArguments } from '../properties/report.ts';
import { readAccounts, urlTarget, type Target } from '../properties/targets.ts';
import type { Check, RunSummary } from '../reports/schema.ts';
import { buildSummary, currentGit, currentMachine, newRunId, type SummaryParts } from '../reports/summary.ts';
import { writeReport } from '../reports/write-report.ts';
import { scratchStore } from '../scenarios/load/scratch-store.ts';
import { resolveConfig } from '../server/config.ts';
import { findFault, UnknownFaultError } from '../server/faults/index.ts';
import { integerOption, parseCommand, UsageError } from './args.ts';
import { defaultRealTimeBudgetMs, durationOption } from './duration.ts';
import { calibrate } from './run/calibrate.ts';
import { runProperties, targetReplay } from './run/properties.ts';
import { runScenarios } from './run/scenarios.ts';
import { isSizeName, sizeNames, sizes } from './run/sizes.ts';
import { formatRunSummary } from './run/table.ts';
import { runZooPhase } from './run/zoo.ts';
import { propertyReplay } from './zoo/replay.ts';
import { zooTarget } from './zoo/target.ts';

const usage = `sessionproof run [--store memory|URL] [--target URL[,URL...]] [--adapter FILE] [--accounts FILE]
                 [--size ${sizeNames.join('|')}]
                 [--runs N] [--seed S] [--fault ID]... [--no-zoo] [--out DIR]

The main job (\`npm start\` is \`sessionproof run\`): serves the reference server, measures a bare node:http
calibration, runs every property suite, a short run of each load scenario and a short fault zoo, then writes ONE
report folder (summary.json, summary.md, junit.xml, index.html) and prints where it is. Exits 1 if any check failed.
  --store URL      the reference server's store: memory (default), redis://HOST:PORT[/DB], postgres://USER@HOST/DB
                   (the run gets its own key prefix or schema, removed afterwards)
  --target URLS    your server instead (several URLs: instances sharing one store). Properties run against any URL;
                   load scenarios only against this machine's loopback, each where the target has what it needs
                   (operations, accounts, test controls); no zoo
  --adapter FILE   how to reach a --target that does not speak contract v1 (docs/adapters.md); cart-contention
                   and session-churn run through it, the scenarios that need contract v1's test controls do not
  --accounts FILE  JSON list of {"email", "password"} for a target with neither a register operation nor the
                   users control
  --real-time-budget D  for a --target without a clock control: how long each property may wait for its
                   timeouts in real time (default 2m; 0 leaves time-based properties out)
  --size S         small (seconds per part), medium (default, a minute or two), large (scenario defaults)
  --runs N         runs per property (default by size: ${sizeNames.map((name) => `${name} ${sizes[name].propertyRuns}`).join(', ')})
  --seed S         fast-check seed for every property (default: a fresh one, printed in the report)
  --fault ID       switch the reference server into a catalogued bug (repeatable), to watch the run catch it;
                   \`sessionproof faults\` lists them. Skips the zoo
  --no-zoo         skip the fault zoo
  --out DIR        the report folder (default reports/out/<run id>/)`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      store: { type: 'string' },
      target: { type: 'string' },
      adapter: { type: 'string' },
      accounts: { type: 'string' },
      'real-time-budget': { type: 'string' },
      size: { type: 'string', default: 'medium' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      fault: { type: 'string', multiple: true, default: [] },
      'no-zoo': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    usage,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals.join(' ')}"\n\n${usage}`);
  if (!isSizeName(values.size)) throw new UsageError(`--size must be one of ${sizeNames.join(', ')}`);
  const size = sizes[values.size];
  const targetUrls = values.target?.split(',').filter(Boolean);
  if (targetUrls && (values.store !== undefined || values.fault.length > 0)) {
    throw new UsageError('--target runs against your server: --store and --fault apply only to the reference server');
  }
  if ((values.accounts || values.adapter) && !targetUrls)
    throw new UsageError(
      '--accounts and --adapter go with --target (the reference server speaks contract v1 and makes its own test users)',
    );
  for (const id of values.fault) {
    try {
      findFault(id);
    } catch (error) {
      if (error instanceof UnknownFaultError) throw new UsageError(error.message);
      throw error;
    }
  }
  const store = values.store ?? 'memory';
  let storeKind: string;
  try {
    storeKind = scratchStore(store).kind;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const runs = integerOption(values.runs, 'runs', size.propertyRuns, 1);
  const seed = values.seed === undefined ? randomInt(2 ** 31 - 1) : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');
  const accounts = values.accounts
    ? await readAccounts(values.accounts).catch((error: unknown) => {
        throw new UsageError(
          `--accounts ${values.accounts}: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
    : undefined;

  // the reference server refuses NODE_ENV=production without real secrets, and a target may not answer the
  // contract: either way, say so before measuring anything
  if (!targetUrls) resolveConfig();
  const adapter = values.adapter ? await loadAdapter(values.adapter) : undefined;
  const external = targetUrls
    ? await urlTarget(targetUrls, {
        ...(accounts ? { accounts } : {}),
        ...(adapter ? { adapter } : {}),
        realTimeBudgetMs: durationOption(values['real-time-budget'], 'real-time-budget', 0) ?? defaultRealTimeBudgetMs,
      })
    : null;

  const startedAt = new Date();
  const clock = performance.now();
  const progress = (part: string, line: string) =>
    process.stderr.write(`[${((performance.now() - clock) / 1000).toFixed(1).padStart(6)} s] ${part}: ${line}\n`);
  const runChecks: Check[] = [];
  /** Runs one part; a part that throws becomes a failed check and the run goes on with the next. */
  const part = async <T>(name: string, work: () => Promise<T>): Promise<T | null> => {
    const started = performance.now();
    try {
      return await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      progress(name, `FAILED to run: ${message}`);
      runChecks.push({
        name: `${name} ran`,
        source: 'run',
        expected: 'runs',
        actual: 'error',
        verdict: 'fail',
        message,
        seconds: (performance.now() - started) / 1000,
      });
      return null;
    }
  };
  const where = targetUrls
    ? targetUrls.join(', ')
    : `the reference server on ${storeKind}${values.fault.length ? ` with fault ${values.fault.join(', ')}` : ''}`;
  progress('run', `size ${values.size}, seed ${seed}, against ${where}`);

  const calibration = await part('calibration', async () => {
    const measured = await calibrate({ durationSeconds: size.calibrationSeconds, connections: 16 });
    progress(
      'calibration',
      `bare node:http answers ${measured.requestsPerSecond.toFixed(0)} req/s, p99 ${measured.latencyMs.p99} ms`,
    );
    return measured;
  });

  const properties = await part('properties', async () => {
    const target: Target = external ?? (await zooTarget({ store, faults: values.fault, instances: 2 }));
    progress('properties', `${target.label}: ${runs} runs per property`);
    try {
      return await runProperties({
        target,
        runs,
        seed,
        replay: targetUrls
          ? targetReplay(targetArguments(targetUrls.join(','), values.adapter, values.accounts))
          : (result) => propertyReplay(result, { store, faults: values.fault, instances: 2 }),
        progress: (line) => progress('properties', line),
      });
    } finally {
      await target.close();
    }
  });

  const scenarios = await part('scenarios', () =>
    runScenarios({
      ...(targetUrls ? { target: targetUrls[0] } : {}),
      ...(adapter ? { adapter } : {}),
      ...(accounts ? { accounts } : {}),
      store,
      faults: values.fault,
      plans: size.scenarios,
      progress: (scenario, line) => progress(scenario, line),
    }),
  );
  runChecks.push(...(scenarios?.checks ?? []));

  const zooSkipped = values['no-zoo']
    ? '--no-zoo'
    : targetUrls
      ? 'the zoo tests the reference server, not a --target'
      : values.fault.length > 0
        ? 'a --fault run'
        : null;
  if (zooSkipped) progress('zoo', `skipped (${zooSkipped})`);
  const zoo = zooSkipped
    ? null
    : await part('zoo', () =>
        runZooPhase({
          store,
          runs: size.zooRuns,
          seed,
          ...(size.zooFaults ? { only: size.zooFaults } : {}),
          clean: { properties: properties ?? [], scenarios: scenarios?.results ?? [] },
          progress: (line) => progress('zoo', line),
        }),
      );

  const parts: SummaryParts = {
    run: {
      id: newRunId(`run-${targetUrls ? 'external' : storeKind}`, startedAt),
      command: ['sessionproof run', ...argv].join(' '),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      git: currentGit(),
      machine: currentMachine(),
      target: targetUrls
        ? { kind: 'url', urls: targetUrls, ...(adapter ? { adapter: declaredBy(adapter) } : {}) }
        : { kind: 'reference', store: storeKind, faults: values.fault },
    },
    ...(calibration ? { calibration } : {}),
    ...(properties ? { properties } : {}),
    ...(scenarios ? { scenarios: scenarios.results } : {}),
    ...(zoo ? { zoo } : {}),
    extraChecks: runChecks,
  };
  const summary: RunSummary = buildSummary(parts);
  const files = await writeReport(summary, values.out ? { dir: values.out } : {});
  process.stdout.write(`\n${formatRunSummary(summary)}\n\n`);
  const baseline =
    !targetUrls && store === 'memory' && values.fault.length === 0 && values.size === 'medium'
      ? 'reports/baselines/memory.json'
      : 'BASELINE.json';
  process.stdout.write(
    `report: ${shown(files.dir)}/\n  open ${shown(files.html)}\n  paste ${shown(files.markdown)} into a pull request\n` +
      `  gate: sessionproof gate --baseline ${baseline} --current ${shown(files.json)}\n`,
  );
  if (summary.verdict === 'fail') process.exitCode = 1;
}

function shown(file: string): string {
  const path = relative(process.cwd(), file);
  return path === '' ? '.' : path.startsWith('..') || isAbsolute(path) ? file : path;
}
