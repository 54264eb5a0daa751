import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../reports/schema.ts';
import { parseSummary } from '../../reports/validate.ts';
import { start as startPath } from '../../examples/session-in-path-koa/server.ts';

const bin = fileURLToPath(new URL('../../bin/sessionproof.js', import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'sessionproof-run-'));
afterAll(() => rm(work, { recursive: true, force: true }));

function sessionproof(args: string[], timeoutMs = 150_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

async function readSummary(dir: string): Promise<RunSummary> {
  return parseSummary(await readFile(join(dir, 'summary.json'), 'utf8'), join(dir, 'summary.json'));
}

describe('sessionproof run', () => {
  const clean = join(work, 'clean');
  let cleanRun: Promise<{ code: number; stdout: string; stderr: string }> | undefined;
  const runClean = () => (cleanRun ??= sessionproof(['run', '--size', 'small', '--seed', '7', '--out', clean]));

  it(
    'on the clean reference server: every part runs, one valid report folder, exit 0',
    { timeout: 180_000 },
    async () => {
      const { code, stdout, stderr } = await runClean();
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      expect((await readdir(clean)).sort()).toEqual(['index.html', 'junit.xml', 'summary.json', 'summary.md']);
      const summary = await readSummary(clean);
      expect(summary.verdict).toBe('pass');
      expect(summary.run.command).toBe(`sessionproof run --size small --seed 7 --out ${clean}`);
      expect(summary.run.target).toEqual({ kind: 'reference', store: 'memory', faults: [] });
      expect(summary.calibration?.requestsPerSecond).toBeGreaterThan(0);
      expect(summary.properties?.length).toBeGreaterThanOrEqual(12);
      expect(summary.properties?.every((p) => p.verdict === 'pass' && p.seed === 7)).toBe(true);
      expect(summary.scenarios?.map((s) => s.scenario)).toEqual([
        'refresh-storm',
        'cleanup-under-load',
        'cart-contention',
        'session-churn',
      ]);
      expect(summary.zoo?.clean.passed).toBe(true);
      expect(summary.zoo?.faults.map((f) => [f.fault, f.detected])).toEqual([
        ['no-rotate-on-login', true],
        ['merge-drops-guest', true],
      ]);
      // The clean row is the run's own properties and scenario checks.
      expect(summary.zoo?.clean.outcomes['no-lost-updates']).toBe('passed');
      expect(summary.zoo?.clean.outcomes['cart-contention: lost updates']).toBe('passed');

      // progress while it runs, the table and the folder at the end
      expect(stderr).toMatch(/properties: no-lost-updates: pass after 5 runs/);
      expect(stderr).toMatch(/cart-contention: /);
      expect(stderr).toMatch(/zoo: \[2\/2\] merge-drops-guest/);
      expect(stdout).toMatch(/scenario\s+cart-contention\s+.*req\/s.*\s+pass\n/);
      expect(stdout).toMatch(/zoo\s+faults detected\s+2 of 2\s+pass/);
      expect(stdout).toContain(`PASSED: ${summary.checks.length} of ${summary.checks.length} checks passed`);
      expect(stdout).toContain(`report: ${clean}/`);
      expect(await readFile(join(clean, 'junit.xml'), 'utf8')).toContain('property no-lost-updates');
    },
  );

  it(
    'turns red when the reference server runs a catalogued fault (--fault cart-in-session)',
    { timeout: 150_000 },
    async () => {
      const out = join(work, 'fault');
      const { code, stdout, stderr } = await sessionproof([
        'run',
        '--size',
        'small',
        '--seed',
        '7',
        '--fault',
        'cart-in-session',
        '--out',
        out,
      ]);
      expect(code, `${stdout}\n${stderr}`).toBe(1);
      const summary = await readSummary(out);
      expect(summary.verdict).toBe('fail');
      expect(summary.run.target).toEqual({ kind: 'reference', store: 'memory', faults: ['cart-in-session'] });
      expect(summary.zoo).toBeUndefined();
      const failed = summary.checks.filter((c) => c.verdict === 'fail').map((c) => c.name);
      // Adds kept inside the session blob get lost under concurrency: the property, the load scenario or both say so.
      expect(
        failed.some(
          (name) => name === 'property no-lost-updates' || name === 'scenario cart-contention/memory: lost updates',
        ),
        failed.join(', '),
      ).toBe(true);
      expect(stdout).toMatch(/^FAILED: /m);
      expect(stderr).toContain('zoo: skipped (a --fault run)');
    },
  );

  it(
    'gates a real run: passes against itself, fails on a seeded regression naming the figure',
    { timeout: 180_000 },
    async () => {
      expect((await runClean()).code).toBe(0);
      const current = join(clean, 'summary.json');
      const same = await sessionproof(['gate', '--baseline', current, '--current', current]);
      expect(same.code, same.stdout + same.stderr).toBe(0);
      expect(same.stdout).toContain('GATE PASSED');

      const summary = await readSummary(clean);
      const cart = summary.scenarios!.find((s) => s.scenario === 'cart-contention')!;
      cart.counters.find((c) => c.name === 'lost updates')!.value = 3;
      cart.requestsPerSecond /= 2;
      const regressed = join(work, 'regressed.json');
      await writeFile(regressed, JSON.stringify(summary));
      const gate = await sessionproof(['gate', '--baseline', current, '--current', regressed]);
      expect(gate.code).toBe(1);
      expect(gate.stdout).toContain('GATE FAILED');
      expect(gate.stdout).toContain('scenario cart-contention/memory: lost updates is 3, expected == 0');
      expect(gate.stdout).toMatch(
        /scenario cart-contention\/memory throughput \/ calibration dropped from [\d.]+ to [\d.]+ \(-50\.0%/,
      );
    },
  );

  it(
    'through an adapter: properties and the scenarios it can take run against the app, the report says what it declares',
    { timeout: 180_000 },
    async () => {
      const app = await startPath({ port: 0 });
      try {
        const out = join(work, 'adapted');
        const adapter = fileURLToPath(new URL('../../examples/session-in-path-koa/adapter.ts', import.meta.url));
        const { code, stdout, stderr } = await sessionproof([
          'run',
          ...['--target', app.url, '--adapter', adapter, '--size', 'small', '--runs', '5', '--out', out],
        ]);
        expect(code, `${stdout}\n${stderr}`).toBe(0);
        expect(stderr).toMatch(
          /refresh-storm: skipped: refresh-storm drives contract v1 and its test controls directly/,
        );
        const summary = await readSummary(out);
        expect(summary.scenarios?.map((s) => s.scenario)).toEqual(['cart-contention', 'session-churn']);
        expect(summary.checks.filter((c) => c.verdict === 'fail')).toEqual([]);
        expect(summary.run.target).toMatchObject({
          kind: 'url',
          urls: [app.url],
          adapter: { name: 'session-in-path-koa', declares: { identity: 'path', csrf: true } },
        });
        expect(summary.properties?.find((p) => p.name === 'strict-mode')?.verdict).toBe('not-applicable');
        expect(stdout).toContain('through adapter session-in-path-koa, which declares');
      } finally {
        await app.close();
      }
    },
  );

  it('refuses options that do not go together', async () => {
    const both = await sessionproof(['run', '--target', 'http://127.0.0.1:1', '--fault', 'cart-in-session']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--store and --fault apply only to the reference server');
    const size = await sessionproof(['run', '--size', 'huge']);
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('--size must be one of small, medium, large');
    const fault = await sessionproof(['run', '--fault', 'no-such-fault']);
    expect(fault.code).toBe(2);
    expect(fault.stderr).toContain('no-such-fault');
  });
});

describe('reports/baselines/memory.json', () => {
  it('is the summary of a real npm start: every part of the main job, all green', async () => {
    const file = fileURLToPath(new URL('../../reports/baselines/memory.json', import.meta.url));
    const baseline = parseSummary(await readFile(file, 'utf8'), file);
    expect(baseline.run.command).toBe('sessionproof run');
    expect(baseline.run.target).toEqual({ kind: 'reference', store: 'memory', faults: [] });
    expect(baseline.verdict).toBe('pass');
    expect(baseline.calibration?.requestsPerSecond).toBeGreaterThan(0);
    expect(baseline.properties?.length).toBeGreaterThanOrEqual(12);
    expect(baseline.scenarios?.map((s) => s.scenario)).toEqual([
      'refresh-storm',
      'cleanup-under-load',
      'cart-contention',
      'session-churn',
    ]);
    expect(baseline.zoo?.faults.length).toBeGreaterThan(0);
    expect(baseline.zoo?.faults.every((f) => f.detected)).toBe(true);
  });
});
