import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeReport } from '../reports/write-report.ts';
import { runBench } from '../scenarios/bench/bench.ts';
import { benchPlan, PlanError, type BenchPlanOptions } from '../scenarios/bench/plan.ts';
import { benchSummary } from '../scenarios/bench/summary.ts';
import { formatBench } from '../scenarios/bench/table.ts';
import { resolveConfig } from '../server/config.ts';
import { integerOption, parseCommand, UsageError } from './args.ts';

const defaultLocations = { redis: 'redis://127.0.0.1:6379', postgres: 'postgres://postgres@127.0.0.1:5432/test' };

const usage = `sessionproof bench [--store memory|redis[://URL]|postgres[://URL]|all]... [--peers]
                   [--duration S] [--warmup S] [--rounds N] [--connections N] [--json FILE] [--out DIR]
                   [--cpu-prof DIR]

Measures, in one run, bare node:http (the calibration), koa + koa-session on an in-memory store (the baseline) and
the reference server on the memory store (GET /session, GET /cart, POST /cart/items), each server in its own
process, and prints requests/s, p50/p99, server CPU per request and ratios to the calibration and to the peer on
the same store. Exits non-zero when any target saw a non-2xx response, a connection error, or clients that did not
keep their sessions.
  --store S        add a shared store: koa-session on it (ioredis, or one pg table) beside the reference server on
                   it. redis and postgres alone take REDIS_URL / DATABASE_URL, else the local services
                   (${defaultLocations.redis}, ${defaultLocations.postgres}). Repeatable.
                   all = redis and postgres with --peers. Every server gets its own key prefix or schema, removed
                   afterwards
  --peers          the peer comparison: also express-session with connect-redis; implies Redis, and PostgreSQL
                   too unless --store names a store
  --duration S     measured seconds per target (default 8)
  --warmup S       discarded warm-up seconds per target (default 2)
  --rounds N       split each target's measurement into N slices, interleaved with the other targets (default 8)
  --connections N  concurrent connections, each one client with its own session (default 32)
  --json FILE      also write the figures as a run summary (summary.json schema, bench section)
  --out DIR        also write a report folder (summary.json, summary.md, junit.xml, index.html) into DIR
  --cpu-prof DIR   write V8 CPU profiles of each server process into DIR/<server>/`;

export async function bench(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      store: { type: 'string', multiple: true, default: [] },
      peers: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      json: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
    usage,
  );
  const stores = storeOptions(values.store, values.peers);
  const profileDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
  const options = {
    durationSeconds: secondsOption(values.duration, 'duration', 8),
    warmupSeconds: secondsOption(values.warmup, 'warmup', 2, 0),
    rounds: integerOption(values.rounds, 'rounds', 8, 1),
    connections: integerOption(values.connections, 'connections', 32, 1),
  };
  // the reference server refuses NODE_ENV=production without real secrets: say so before starting anything
  resolveConfig();
  let plan;
  try {
    plan = benchPlan(stores);
  } catch (error) {
    if (error instanceof PlanError) throw new UsageError(`${error.message}\n\n${usage}`);
    throw error;
  }
  const report = await runBench({
    ...options,
    targets: plan.targets,
    goals: plan.goals,
    nodeArgsFor: profileDir ? (server) => ['--cpu-prof', '--cpu-prof-dir', join(profileDir, server.id)] : undefined,
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  }).finally(() => plan.cleanUp());
  process.stdout.write(`\n${formatBench(report)}`);
  if (values.json !== undefined || values.out !== undefined) {
    const summary = benchSummary(report, {
      command: ['sessionproof', 'bench', ...argv].join(' '),
      stores: plan.stores,
    });
    if (values.json !== undefined) {
      await mkdir(dirname(resolve(values.json)), { recursive: true });
      await writeFile(values.json, `${JSON.stringify(summary, null, 2)}\n`);
      process.stdout.write(`summary written to ${values.json}\n`);
    }
    if (values.out !== undefined) {
      const files = await writeReport(summary, { dir: values.out });
      process.stdout.write(`report written to ${files.dir}/\n`);
    }
  }
  if (profileDir) process.stdout.write(`CPU profiles written to ${profileDir}\n`);
  if (!report.ok) process.exitCode = 1;
}

/** `--store` values as plan options: `redis`/`postgres` alone read the environment, then the local services. */
export function storeOptions(values: string[], peers: boolean, env: NodeJS.ProcessEnv = process.env): BenchPlanOptions {
  const options: BenchPlanOptions = { peers };
  const redis = () => env.REDIS_URL || defaultLocations.redis;
  const postgres = () => env.DATABASE_URL || defaultLocations.postgres;
  for (const value of values) {
    if (value === 'memory') continue;
    if (value === 'all') Object.assign(options, { redis: redis(), postgres: postgres(), peers: true });
    else if (value === 'redis') options.redis = redis();
    else if (value === 'postgres' || value === 'postgresql') options.postgres = postgres();
    else if (/^rediss?:\/\//i.test(value)) options.redis = value;
    else if (/^postgres(ql)?:\/\//i.test(value)) options.postgres = value;
    else
      throw new UsageError(
        `--store must be memory, redis[://URL], postgres[://URL] or all, got "${value}"\n\n${usage}`,
      );
  }
  if (options.peers) {
    if (options.redis === undefined && options.postgres === undefined) options.postgres = postgres();
    options.redis ??= redis();
  }
  return options;
}

function secondsOption(value: string | undefined, name: string, fallback: number, min = 0.1): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > 3600)
    throw new UsageError(`--${name} must be seconds from ${min} to 3600`);
  return parsed;
}
