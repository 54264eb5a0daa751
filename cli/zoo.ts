import { resolveConfig } from '../server/config.ts';
import { faults } from '../server/faults/index.ts';
import { newRunId } from '../reports/summary.ts';
import { writeReport } from '../reports/write-report.ts';
import { faultOption, integerOption, parseCommand, UsageError } from './args.ts';
import { formatDetection, formatMatrix } from './zoo/matrix.ts';
import { runZoo } from './zoo/run-zoo.ts';
import { zooSummary } from './zoo/summary.ts';

const usage = `sessionproof zoo [--store memory|URL] [--only ID[,ID...]]... [--runs N] [--seed S] [--matrix] [--out DIR]
  Runs the clean reference server (every property family and every scenario check must pass), then each
  catalogued fault in turn on a fresh server (two instances over one store for faults that need them): the
  property families until one fails, and the small load scenarios' checks if none does. Prints a detection table
  and writes summary.json, summary.md, index.html and junit.xml. Exits 1 if the clean server fails anything or a
  fault goes undetected.
  --store   memory (default), redis://HOST:PORT[/DB] or postgres://USER@HOST:PORT/DB (each run gets its own
            key prefix or schema, removed afterwards)
  --runs    runs per property family (default 100)
  --seed    fast-check seed for every property (default: a fresh one per property)
  --matrix  every property and scenario check against every fault: the full fault x check matrix
  --out     the report folder (default reports/out/<run id>/)
  faults: ${faults.map((fault) => fault.id).join(', ')}`;

export async function zoo(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      store: { type: 'string', default: 'memory' },
      only: { type: 'string', multiple: true, default: [] },
      runs: { type: 'string' },
      seed: { type: 'string' },
      matrix: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    usage,
  );
  const only = values.only.flatMap((list) => list.split(',')).filter(Boolean);
  faultOption(only);
  const runs = integerOption(values.runs, 'runs', 100, 1);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');

  // the reference server refuses NODE_ENV=production without real secrets: say so before starting anything
  resolveConfig();

  const startedAt = new Date();
  const clock = performance.now();
  const progress = (line: string) =>
    process.stderr.write(`[${((performance.now() - clock) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const result = await runZoo({
    store: values.store,
    ...(only.length > 0 ? { only } : {}),
    runs,
    ...(seed === undefined ? {} : { seed }),
    matrix: values.matrix,
    progress,
  });

  console.log(`\n${formatDetection(result)}`);
  if (values.matrix) console.log(`\n${formatMatrix(result)}`);
  const summary = zooSummary(result, {
    id: newRunId(
      `zoo-${values.store === 'memory' ? 'memory' : new URL(values.store).protocol.replace(':', '')}`,
      startedAt,
    ),
    command: ['sessionproof zoo', ...argv].join(' '),
    startedAt,
  });
  const files = await writeReport(summary, values.out ? { dir: values.out } : {});
  console.log(`\nreport: ${files.dir} (summary.json, summary.md, index.html, junit.xml)`);
  if (!result.passed) process.exitCode = 1;
}

export { runZoo, type ZooOptions, type ZooResult } from './zoo/run-zoo.ts';
