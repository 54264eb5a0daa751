import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { validateSummary } from '../../reports/validate.ts';
import { writeReport } from '../../reports/write-report.ts';
import { runBench, type BenchReport } from '../../scenarios/bench/bench.ts';
import { benchPlan, type BenchPlan } from '../../scenarios/bench/plan.ts';
import { benchSummary } from '../../scenarios/bench/summary.ts';
import { formatBench } from '../../scenarios/bench/table.ts';
import { provisionStore } from '../support/stores.ts';

/**
 * The bench on the shared stores at tiny size: the koa-session baselines on Redis and PostgreSQL, express-session
 * with connect-redis, and the reference server on each store. Speed is never asserted: only that every figure is
 * present, well-formed and error-free, that the run makes a valid summary, and that it leaves nothing behind.
 */
const redis = await provisionStore('redis');
const postgres = await provisionStore('postgres');

afterAll(async () => {
  await redis.release();
  await postgres.release();
});

const tiny = { durationSeconds: 1, warmupSeconds: 0.2, rounds: 1, connections: 4 };

/** The plan's targets on one store (plus the calibration), and the goals among them. */
async function benchOn(plan: BenchPlan, store: 'redis' | 'postgres'): Promise<BenchReport> {
  const targets = plan.targets.filter((t) => t.role === 'calibration' || t.server.id.endsWith(`-${store}`));
  const ids = new Set(targets.map((t) => t.id));
  const goals = plan.goals.filter((g) => ids.has(g.target) && ids.has(g.baseline));
  try {
    return await runBench({ ...tiny, targets, goals });
  } finally {
    await plan.cleanUp();
  }
}

function expectWellFormed(report: BenchReport, ids: string[]): void {
  expect(report.results.map((r) => r.id)).toEqual(ids);
  expect(report.ok).toBe(true);
  for (const result of report.results) {
    const { figures } = result;
    expect(result.problems, result.id).toEqual([]);
    expect(figures.non2xx, result.id).toBe(0);
    expect(figures.errors, result.id).toBe(0);
    expect(figures.requests, result.id).toBeGreaterThan(0);
    expect(Object.keys(figures.statusCodes), result.id).toEqual(['200']);
    expect(figures.latencyMs.p50, result.id).toBeGreaterThan(0);
    expect(figures.latencyMs.p50, result.id).toBeLessThanOrEqual(figures.latencyMs.p99);
    expect(result.serverCpuMicrosPerRequest, result.id).toBeGreaterThan(0);
    expect(result.ratios['bare-node'], result.id).toBeGreaterThan(0);
    if (result.peer !== null) expect(result.ratios[result.peer], result.id).toBeGreaterThan(0);
  }
  expect(formatBench(report)).not.toContain('BENCH INVALID');
}

/** Each server on a shared store ran under a scratch prefix or schema named in its location argument. */
function scratchLocations(plan: BenchPlan): string[] {
  return [...new Set(plan.targets.flatMap((t) => t.server.args ?? []).filter((a) => a !== 'memory'))];
}

async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

describe('bench on the shared stores', () => {
  it.skipIf(redis.url === null)(
    'measures koa-session + ioredis, express-session + connect-redis and the reference server on Redis, and cleans up',
    { timeout: 120_000 },
    async () => {
      const plan = benchPlan({ redis: redis.url!, peers: true });
      const report = await benchOn(plan, 'redis');

      expectWellFormed(report, [
        'bare-node',
        'koa-session-redis',
        'express-session-redis',
        'reference-redis GET /session',
        'reference-redis GET /cart',
        'reference-redis POST /cart/items',
      ]);
      expect(report.results.filter((r) => r.id.startsWith('reference-redis')).map((r) => r.peer)).toEqual([
        'koa-session-redis',
        'koa-session-redis',
        'koa-session-redis',
      ]);
      expect(report.goals.map((g) => `${g.target} / ${g.baseline} >= ${g.minimumRatio}`)).toEqual([
        'reference-redis GET /session / koa-session-redis >= 1',
        'reference-redis GET /cart / koa-session-redis >= 1',
        'reference-redis POST /cart/items / koa-session-redis >= 0.8',
      ]);

      const prefixes = scratchLocations(plan).map((location) => new URL(location).searchParams.get('prefix'));
      expect(prefixes).toHaveLength(3);
      expect(new Set(prefixes).size).toBe(3);
      const client = new Redis(redis.url!);
      try {
        for (const prefix of prefixes) {
          expect(prefix).toMatch(/^sp-load-[0-9a-f]{8}:$/);
          expect(await keysUnder(client, prefix!), `keys left under ${prefix}`).toEqual([]);
        }
      } finally {
        client.disconnect();
      }
    },
  );

  it.skipIf(postgres.url === null)(
    'measures koa-session on one pg table and the reference server on PostgreSQL, and drops their schemas',
    { timeout: 120_000 },
    async () => {
      const plan = benchPlan({ postgres: postgres.url! });
      const report = await benchOn(plan, 'postgres');

      expectWellFormed(report, [
        'bare-node',
        'koa-session-postgres',
        'reference-postgres GET /session',
        'reference-postgres GET /cart',
        'reference-postgres POST /cart/items',
      ]);
      expect(report.goals.map((g) => `${g.target} / ${g.baseline} >= ${g.minimumRatio}`)).toEqual([
        'reference-postgres GET /session / koa-session-postgres >= 1',
        'reference-postgres GET /cart / koa-session-postgres >= 1',
        'reference-postgres POST /cart/items / koa-session-postgres >= 0.8',
      ]);
      expect(formatBench(report)).toMatch(/^(met {4}|NOT MET) {2}reference-postgres POST \/cart\/items >= 0\.80x/m);
      const schemas = scratchLocations(plan).map((location) => new URL(location).searchParams.get('schema')!);
      expect(schemas).toHaveLength(2);
      const client = new pg.Client({ connectionString: postgres.url! });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)', [schemas]);
        expect(rows).toEqual([]);
      } finally {
        await client.end();
      }

      // The figures as a run summary and a report folder.
      const summary = benchSummary(report, { command: 'sessionproof bench --store postgres', stores: ['postgres'] });
      expect(validateSummary(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
      expect(summary.bench!.calibration).toBe('bare-node');
      expect(summary.bench!.baseline).toBe('koa-session-postgres');
      expect(summary.bench!.targets.map((t) => t.role)).toEqual([
        'calibration',
        'baseline',
        'subject',
        'subject',
        'subject',
      ]);
      // Each reference row names koa-session on PostgreSQL as its peer, and the report divides by that peer.
      expect(summary.bench!.targets.map((t) => t.peer)).toEqual([
        undefined,
        undefined,
        ...Array(3).fill('koa-session-postgres'),
      ]);
      // every target measured cleanly; the goal lines are there whatever a loaded machine makes of them
      const benchChecks = summary.checks.filter((c) => c.source === 'bench');
      const clean = benchChecks.filter((c) => c.name.endsWith('measured cleanly'));
      expect(clean.map((c) => c.verdict)).toEqual(Array(5).fill('pass'));
      expect(benchChecks.length - clean.length).toBe(3);
      const dir = await mkdtemp(join(tmpdir(), 'sp-bench-report-'));
      try {
        const files = await writeReport(summary, { dir });
        expect(JSON.parse(await readFile(files.json, 'utf8'))).toEqual(summary);
        const markdown = await readFile(files.markdown, 'utf8');
        expect(markdown).toMatch(
          /^\| reference-postgres GET \/cart \| subject \|( [^|]* \|){5} \d+\.\d\dx \| koa-session-postgres \|/m,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
