import { describe, expect, it } from 'vitest';
import { runBench, type BenchReport } from '../../scenarios/bench/bench.ts';
import { benchSummary } from '../../scenarios/bench/summary.ts';
import { formatBench } from '../../scenarios/bench/table.ts';
import { validateSummary } from '../../reports/validate.ts';
import {
  bareNode,
  defaultGoals,
  defaultTargets,
  referenceSession,
  servers,
  type BenchTarget,
} from '../../scenarios/bench/targets.ts';

const tiny = { durationSeconds: 1, warmupSeconds: 0.2, rounds: 1, connections: 4 };

/** Speed is never asserted here: only that every figure is present, well-formed and error-free. */
describe('bench machinery', () => {
  it('measures every target with well-formed figures and zero errors', { timeout: 90_000 }, async () => {
    const report = await runBench(tiny);

    expect(report.ok).toBe(true);
    expect(report.results.map((r) => r.id)).toEqual(defaultTargets.map((t) => t.id));
    expect(report.baselines).toEqual(['bare-node', 'koa-session']);
    for (const result of report.results) {
      const { figures } = result;
      expect(result.problems, result.id).toEqual([]);
      expect(figures.non2xx, result.id).toBe(0);
      expect(figures.errors, result.id).toBe(0);
      expect(figures.requests, result.id).toBeGreaterThan(0);
      expect(Object.keys(figures.statusCodes), result.id).toEqual(['200']);
      expect(figures.requestsPerSecond, result.id).toBeCloseTo(figures.requests / figures.durationSeconds, 6);
      expect(figures.latencyMs.p50, result.id).toBeGreaterThan(0);
      expect(figures.latencyMs.p50, result.id).toBeLessThanOrEqual(figures.latencyMs.p99);
      expect(figures.latencyMs.p99, result.id).toBeLessThanOrEqual(figures.latencyMs.max);
      expect(result.serverCpuMicrosPerRequest, result.id).toBeGreaterThan(0);
      for (const baseline of report.baselines) {
        const expected =
          figures.requestsPerSecond / report.results.find((r) => r.id === baseline)!.figures.requestsPerSecond;
        expect(result.ratios[baseline], `${result.id} / ${baseline}`).toBeCloseTo(expected, 9);
      }
    }
    expect(report.goals.map((g) => g.target)).toEqual(defaultGoals.map((g) => g.target));
    for (const goal of report.goals) {
      expect(goal.ratio).toBeGreaterThan(0);
      expect(goal.cpuRatio).toBeGreaterThan(0);
      expect(goal.met).toBe(goal.ratio! >= goal.minimumRatio);
    }
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);

    const printed = formatBench(report);
    for (const target of defaultTargets) expect(printed).toContain(target.id);
    expect(printed).not.toContain('BENCH INVALID');

    // The same figures as a schema-valid run summary, ids kept stable for the committed baselines.
    const summary = benchSummary(report, { command: 'sessionproof bench', stores: ['memory'] });
    expect(validateSummary(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
    const bench = summary.bench!;
    expect([bench.calibration, bench.baseline]).toEqual(['bare-node', 'koa-session']);
    expect(bench.targets.map((t) => [t.id, t.role, t.requestsPerSecond])).toEqual(
      report.results.map((r) => [
        r.id,
        r.role === 'read' || r.role === 'write' ? 'subject' : r.role,
        r.figures.requestsPerSecond,
      ]),
    );
    expect(bench.goals).toEqual(
      defaultGoals.map((g) => ({ target: g.target, over: g.baseline, minimumRatio: g.minimumRatio })),
    );
    const goalChecks = summary.checks.filter((c) => c.name.endsWith('throughput vs koa-session'));
    expect(goalChecks.map((c) => c.verdict)).toEqual(report.goals.map((g) => (g.met ? 'pass' : 'fail')));
  });

  it('marks a run whose workload fails or drops its cookies as invalid', { timeout: 60_000 }, async () => {
    // A cart write with no session cookie: the reference server answers 401 to every request.
    const cookielessWrite: BenchTarget = {
      id: 'reference-memory POST /cart/items without a cookie',
      label: 'cookieless cart write',
      role: 'write',
      server: servers.reference,
      prepare: async (_url, connections) => ({
        requests: Array.from({ length: connections }, () => [
          {
            method: 'POST',
            path: '/cart/items',
            headers: { 'content-type': 'application/json' },
            body: '{"sku":"SKU-0001","quantity":1}',
          },
        ]),
        check: async () => null,
      }),
    };
    // Session reads that leave their cookies behind: every answer is a 200, each with a brand-new guest session.
    const cookielessRead: BenchTarget = {
      ...referenceSession,
      id: 'reference-memory GET /session without its cookie',
      async prepare(url, connections) {
        const prepared = await referenceSession.prepare(url, connections);
        return {
          ...prepared,
          requests: prepared.requests.map((sequence) => sequence.map((r) => ({ ...r, headers: {} }))),
        };
      },
    };
    const targets = [bareNode, cookielessWrite, cookielessRead];
    const report: BenchReport = await runBench({ ...tiny, warmupSeconds: 0, targets, goals: [] });

    expect(report.ok).toBe(false);
    const [bare, write, read] = report.results;
    expect(bare!.problems).toEqual([]);
    expect(write!.figures.non2xx).toBe(write!.figures.requests);
    expect(write!.problems).toEqual([`${write!.figures.non2xx} non-2xx responses (401: ${write!.figures.non2xx})`]);
    expect(read!.figures.non2xx).toBe(0);
    // Every completed read created a session, and so did the reads still in flight when the run stopped.
    expect(read!.problems).toHaveLength(1);
    const [, created] = /^(\d+) sessions were created during the run: requests did not carry their cookies$/.exec(
      read!.problems[0]!,
    )!;
    expect(Number(created)).toBeGreaterThanOrEqual(read!.figures.requests);
    expect(Number(created)).toBeLessThanOrEqual(read!.figures.requests + tiny.connections);
    const printed = formatBench(report);
    expect(printed).toContain('BENCH INVALID');
    expect(printed).toContain('requests did not carry their cookies');
  });
});
