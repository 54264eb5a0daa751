import { writeFile } from 'node:fs/promises';
import { families } from '../properties/families/index.ts';
import { formatFailure, formatTable, replayCommand } from '../properties/report.ts';
import { runProperty, type PropertyResult } from '../properties/runner.ts';
import { loadAdapter } from '../adapters/load.ts';
import { declaredLine, targetArguments } from '../properties/report.ts';
import { readAccounts, urlTarget, type Target } from '../properties/targets.ts';
import { faultOption, integerOption, parseCommand, UsageError } from './args.ts';
import { defaultRealTimeBudgetMs, durationOption } from './duration.ts';
import { propertyReplay } from './zoo/replay.ts';
import { zooTarget } from './zoo/target.ts';

const usage = `sessionproof props [--target URL[,URL...]] [--adapter FILE] [--accounts FILE] [--runs N] [--seed S]
                   [--real-time-budget DURATION] [--path P] [--replay-path R] [--only NAME[,NAME...]] [--json FILE]
                   [--fault ID]... [--store memory|URL] [--instances N]
  Runs the property suites against your app (--target; through --adapter FILE unless it speaks contract v1;
  without a clock control, time-based properties wait in real time, up to --real-time-budget per property,
  default 2m, 0 to leave them out), or
  without --target against the in-process reference server: --instances of it (default 2) sharing --store
  (default memory), switched into each --fault. Exits 1 if any property fails. Soak: --runs 10000.
  properties: ${families.map((family) => family.name).join(', ')}`;

export async function props(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      target: { type: 'string' },
      adapter: { type: 'string' },
      accounts: { type: 'string' },
      'real-time-budget': { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      path: { type: 'string' },
      'replay-path': { type: 'string' },
      only: { type: 'string' },
      json: { type: 'string' },
      fault: { type: 'string', multiple: true, default: [] },
      store: { type: 'string' },
      instances: { type: 'string' },
    },
    usage,
  );
  const only = values.only?.split(',').filter(Boolean);
  const unknown = only?.filter((name) => !families.some((family) => family.name === name)) ?? [];
  if (unknown.length > 0) throw new UsageError(`unknown property ${unknown.join(', ')}\n\n${usage}`);
  if (values.path !== undefined && values.seed === undefined)
    throw new UsageError('--path needs the --seed it came from');
  const selected = only ? families.filter((family) => only.includes(family.name)) : families;
  const runs = integerOption(values.runs, 'runs', 100, 1);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');

  if (
    values.target !== undefined &&
    (values.fault.length > 0 || values.store !== undefined || values.instances !== undefined)
  ) {
    throw new UsageError(
      '--target runs against your server: --fault, --store and --instances apply only to the reference server',
    );
  }
  if (values.target === undefined && (values.adapter !== undefined || values.accounts !== undefined))
    throw new UsageError('--adapter and --accounts go with --target (the reference server speaks contract v1)');
  faultOption(values.fault);
  const instances = integerOption(values.instances, 'instances', 2, 1);

  const target: Target = values.target
    ? await urlTarget(values.target.split(',').filter(Boolean), {
        realTimeBudgetMs: durationOption(values['real-time-budget'], 'real-time-budget', 0) ?? defaultRealTimeBudgetMs,
        ...(values.accounts ? { accounts: await readAccounts(values.accounts) } : {}),
        ...(values.adapter ? { adapter: await loadAdapter(values.adapter) } : {}),
      })
    : await zooTarget({ store: values.store ?? 'memory', faults: values.fault, instances });
  const targetSpec = values.target ? targetArguments(values.target, values.adapter, values.accounts) : null;
  // on the reference server the replay must rebuild it with the same faults, store and instances
  const replay = (result: PropertyResult) =>
    targetSpec
      ? replayCommand(result, targetSpec)
      : propertyReplay(result, { store: values.store ?? 'memory', faults: values.fault, instances });
  console.log(`sessionproof props against ${target.label}: ${selected.length} properties, ${runs} runs each`);
  if (values.adapter) console.log(declaredLine(target.adapter));
  const results: PropertyResult[] = [];
  try {
    for (const family of selected) {
      const result = await runProperty(family, target, {
        runs,
        ...(seed === undefined ? {} : { seed }),
        ...(values.path === undefined ? {} : { path: values.path }),
        ...(values['replay-path'] === undefined ? {} : { replayPath: values['replay-path'] }),
      });
      results.push(result);
      if (result.verdict === 'failed')
        console.log(
          `\n${formatFailure(result, targetSpec).replace(replayCommand(result, targetSpec), replay(result))}\n`,
        );
    }
  } finally {
    await target.close();
  }
  console.log(`\n${formatTable(results)}`);
  if (values.json) {
    const report = results.map((result) => ({
      ...result,
      runsPerSecond: result.seconds > 0 ? result.runs / result.seconds : null,
      ...(result.failure ? { replay: replay(result) } : {}),
    }));
    await writeFile(values.json, `${JSON.stringify({ target: target.label, results: report }, null, 2)}\n`);
  }
  if (results.some((result) => result.verdict === 'failed')) process.exitCode = 1;
}
