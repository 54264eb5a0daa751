import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, formatGate, type GateOptions } from '../../reports/gate.ts';
import { scenarioRatios } from '../../reports/ratios.ts';
import type { RunSummary } from '../../reports/schema.ts';
import { parseSummary } from '../../reports/validate.ts';
import { sampleSummary } from './fixtures.ts';

const defaults: GateOptions = { tolerance: 0.15, toleranceFor: [] };
const regressed = (baseline: RunSummary, current: RunSummary, options = defaults) =>
  compareRuns(baseline, current, options).regressions.map((r) => r.figure);

describe('gate: comparing a run with its baseline', () => {
  const baseline = sampleSummary({ seed: 11 });

  it('passes on an identical run and prints every figure', () => {
    const result = compareRuns(baseline, baseline, defaults);
    expect(result.passed).toBe(true);
    const text = formatGate(result, { baseline: 'a', current: 'b' });
    expect(text).toContain('GATE PASSED');
    expect(text).toMatch(/bench reference-read throughput \/ calibration\s+\d\.\d{3}\s+\d\.\d{3}\s+\+0\.0%\s+ok/);
    expect(text).toMatch(/scenario cart-contention\/memory: lost updates\s+0\s+0\s+0\s+ok/);
    expect(text).toMatch(/scenario cleanup-under-load\/memory during-sweep throughput \/ before-sweep\s+0\.\d{3}/);
  });

  it('passes on a machine twice as slow, because speed is compared as ratios inside each run', () => {
    const slow = sampleSummary({ seed: 11, machineSpeed: 0.5 });
    expect(slow.bench!.targets[2]!.requestsPerSecond).toBeLessThan(baseline.bench!.targets[2]!.requestsPerSecond * 0.6);
    expect(regressed(baseline, slow)).toEqual([]);
  });

  it('tolerates noise within the tolerance', () => {
    for (const seed of [12, 13, 14, 15, 16]) {
      expect(regressed(baseline, sampleSummary({ seed, noise: 0.03, machineSpeed: 0.8 })), `seed ${seed}`).toEqual([]);
    }
  });

  it('fails when the reference throughput ratio drops beyond the tolerance, naming the figure and the size of the drop', () => {
    const current = sampleSummary({ seed: 11, referenceSpeed: 0.7 });
    const result = compareRuns(baseline, current, defaults);
    expect(result.passed).toBe(false);
    expect(result.regressions.map((r) => r.figure)).toEqual([
      'bench reference-read throughput / calibration',
      'bench reference-read p99 / calibration',
      'bench reference-read cpu per request / calibration',
      'bench reference-read throughput / baseline',
    ]);
    const [throughput] = result.regressions;
    expect(throughput!.change).toBe('-30.0%');
    expect(throughput!.reason).toMatch(
      /^bench reference-read throughput \/ calibration dropped from 0\.\d{3} to 0\.\d{3} \(-30\.0%, tolerance 15%; reference-read req\/s ÷ bare-node req\/s\)$/,
    );
    expect(formatGate(result, { baseline: 'a', current: 'b' })).toContain('GATE FAILED: 4 regression(s)');
  });

  it('lets a per-figure tolerance accept a drop the default would not', () => {
    const current = sampleSummary({ seed: 11, referenceSpeed: 0.8 });
    expect(regressed(baseline, current)).toContain('bench reference-read throughput / calibration');
    const loose = { tolerance: 0.15, toleranceFor: [{ pattern: 'bench reference-read *', tolerance: 0.3 }] };
    expect(regressed(baseline, current, loose)).toEqual([]);
  });

  it('fails when a correctness counter is off by one, however fast the run', () => {
    const current = sampleSummary({ seed: 11, lostUpdates: 1, machineSpeed: 1.5 });
    const result = compareRuns(baseline, current, { tolerance: 10, toleranceFor: [] });
    expect(result.regressions.map((r) => r.reason)).toEqual([
      'scenario cart-contention/memory: lost updates is 1, expected == 0 (baseline 0, off by +1)',
      'check scenario cart-contention/memory: lost updates fails: expected == 0, got 1',
    ]);
  });

  it('accepts a run that fixes what failed in the baseline', () => {
    const broken = sampleSummary({ seed: 11, lostUpdates: 2, failingProperty: 'cleanup' });
    const result = compareRuns(broken, baseline, defaults);
    expect(result.regressions).toEqual([]);
    expect(result.rows.find((r) => r.figure === 'scenario cart-contention/memory: lost updates')).toMatchObject({
      baseline: '2',
      current: '0',
      change: '-2',
      verdict: 'ok',
    });
  });

  it('fails when a fault goes undetected or a property no longer holds, and when a figure disappears', () => {
    expect(regressed(baseline, sampleSummary({ seed: 11, undetectedFault: 'merge-not-idempotent' }))).toEqual([
      'zoo fault merge-not-idempotent detected',
    ]);
    expect(regressed(baseline, sampleSummary({ seed: 11, failingProperty: 'isolation' }))).toEqual([
      'property isolation',
    ]);
    const full = sampleSummary({ seed: 11 });
    const missing = regressed(baseline, {
      ...full,
      bench: undefined,
      checks: full.checks.filter((c) => c.source !== 'bench'),
    });
    expect(missing).toContain('bench reference-read throughput / calibration');
    expect(missing).toContain('bench reference-read throughput vs koa-session');
  });
});

describe('speed ratios: only steady samples are compared', () => {
  it('compares sweep phases that hold enough requests, and never a phase over in milliseconds', () => {
    const summary = sampleSummary();
    const cleanup = summary.scenarios!.find((s) => s.scenario === 'cleanup-under-load')!;
    const names = () => scenarioRatios(cleanup, summary).map((r) => r.name);
    expect(names().some((name) => name.includes('during-sweep throughput'))).toBe(true);
    cleanup.phases[1] = { ...cleanup.phases[1]!, startSecond: 8, endSecond: 8.05, requests: 113 };
    expect(names().some((name) => name.includes('during-sweep'))).toBe(false);
    expect(names().some((name) => name.includes('after-sweep throughput'))).toBe(true);
  });

  it('never compares throughput of an open-model run, whose arrival rate sets it', () => {
    const summary = sampleSummary();
    const scenario = summary.scenarios![0]!;
    scenario.load = { model: 'open', ratePerSecond: 200, connections: 16 };
    const names = scenarioRatios(scenario, summary).map((r) => r.name);
    expect(names.some((name) => name.endsWith('throughput / calibration'))).toBe(false);
    expect(names.some((name) => name.endsWith('p99 / calibration'))).toBe(true);
  });
});

describe('committed baselines', () => {
  it('are valid summaries that hold against themselves', async () => {
    const file = fileURLToPath(new URL('../../reports/baselines/memory.json', import.meta.url));
    const baseline = parseSummary(await readFile(file, 'utf8'), file);
    expect(baseline.verdict).toBe('pass');
    const result = compareRuns(baseline, baseline, defaults);
    expect(result.regressions).toEqual([]);
    expect(result.rows.filter((r) => r.kind === 'ratio').length).toBeGreaterThan(0);
  });
});

describe('sessionproof gate (command)', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  let dir: string;
  const file = (name: string) => join(dir, name);
  const gate = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/sessionproof.js', 'gate', ...args], {
        cwd: root,
        timeout: 20_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sessionproof-gate-'));
    await writeFile(file('baseline.json'), JSON.stringify(sampleSummary({ seed: 21 })));
    await writeFile(file('same.json'), JSON.stringify(sampleSummary({ seed: 21, machineSpeed: 0.6 })));
    await writeFile(
      file('slower.json'),
      JSON.stringify(sampleSummary({ seed: 21, referenceSpeed: 0.75, lostUpdates: 1 })),
    );
    await writeFile(file('bad.json'), JSON.stringify({ schemaVersion: 1, run: {} }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 0 when the run holds against the baseline', async () => {
    const { code, stdout } = await gate('--baseline', file('baseline.json'), '--current', file('same.json'));
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/^figure\s+baseline\s+current\s+change\s+verdict$/m);
    expect(stdout).toContain('GATE PASSED');
  });

  it('exits 1 on a seeded regression, naming each figure and by how much', async () => {
    const { code, stdout } = await gate(
      '--baseline',
      file('baseline.json'),
      '--current',
      file('slower.json'),
      '--tolerance',
      '0.1',
    );
    expect(code).toBe(1);
    expect(stdout).toContain('GATE FAILED: 6 regression(s)');
    expect(stdout).toMatch(
      /- bench reference-read throughput \/ calibration dropped from .* \(-25\.0%, tolerance 10%;/,
    );
    expect(stdout).toContain(
      '- scenario cart-contention/memory: lost updates is 1, expected == 0 (baseline 0, off by +1)',
    );
  });

  it('exits 2 on a malformed summary or a bad option, saying what is wrong', async () => {
    const bad = await gate('--baseline', file('baseline.json'), '--current', file('bad.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('run.id: missing');
    const option = await gate(
      '--baseline',
      file('baseline.json'),
      '--current',
      file('same.json'),
      '--tolerance-for',
      'p99',
    );
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('--tolerance-for takes NAME=FRACTION, got "p99"');
  });
});
