import { describe, expect, it } from 'vitest';
import { buildSummary, currentGit, currentMachine, newRunId } from '../../reports/summary.ts';
import { parseSummary, SummaryError, validateSummary } from '../../reports/validate.ts';
import { sampleSummary } from './fixtures.ts';

/** A deep copy of a good summary, changed by `edit`, as plain JSON data (what a file would hold). */
function broken(edit: (s: any) => void): unknown {
  const copy = JSON.parse(JSON.stringify(sampleSummary()));
  edit(copy);
  return copy;
}

function problemsOf(value: unknown): string[] {
  try {
    validateSummary(value);
  } catch (error) {
    if (error instanceof SummaryError) return error.problems;
    throw error;
  }
  throw new Error('the summary was accepted');
}

describe('summary schema', () => {
  it('accepts a full run, a failing run and a run with only some sections, also after a JSON round trip', () => {
    const full = sampleSummary();
    expect(parseSummary(JSON.stringify(full))).toEqual(full);
    const failing = sampleSummary({
      failingProperty: 'no-lost-updates',
      lostUpdates: 2,
      undetectedFault: 'racy-cart-create',
    });
    expect(failing.verdict).toBe('fail');
    expect(() => validateSummary(JSON.parse(JSON.stringify(failing)))).not.toThrow();
    const propertiesOnly = broken((s) => {
      delete s.scenarios;
      delete s.zoo;
      delete s.bench;
      delete s.calibration;
      s.checks = s.checks.filter((c: { source: string }) => c.source === 'property');
    });
    expect(validateSummary(propertiesOnly).properties).toHaveLength(11);
  });

  it('derives one check per property, per scenario counter with an expectation, per fault and the clean server', () => {
    const s = sampleSummary();
    const by = (source: string) => s.checks.filter((c) => c.source === source);
    expect(by('property')).toHaveLength(11);
    expect(
      by('property')
        .filter((c) => c.verdict === 'skip')
        .map((c) => c.name),
    ).toEqual(['property strict-mode']);
    const expected = s.scenarios!.flatMap((x) => x.counters.filter((c) => c.expect)).length;
    expect(by('scenario')).toHaveLength(expected);
    expect(by('zoo')).toHaveLength(s.zoo!.faults.length + 1);
    expect(s.verdict).toBe('pass');
  });

  it.each<[string, (s: any) => void, string]>([
    ['a missing field', (s) => delete s.run.id, 'run.id: missing'],
    [
      'a wrong type deep inside',
      (s) => (s.scenarios[1].latencyMs.uncorrected.p99 = '12'),
      'scenarios[1].latencyMs.uncorrected.p99: expected a finite number, got "12"',
    ],
    ['a negative count', (s) => (s.properties[0].runs = -1), 'properties[0].runs: expected an integer >= 0, got -1'],
    [
      'an unknown verdict',
      (s) => (s.properties[2].verdict = 'passed'),
      'properties[2].verdict: expected one of "pass", "fail", "not-applicable", got "passed"',
    ],
    [
      'an unknown field (a typo)',
      (s) => (s.scenarios[0].counters[0].expected = { op: '==', value: 0 }),
      'scenarios[0].counters[0].expected: unknown field',
    ],
    [
      'an unknown load model',
      (s) => (s.scenarios[0].load = { model: 'burst', connections: 3 }),
      'scenarios[0].load.model: expected one of "closed", "open", got "burst"',
    ],
    [
      'a time that is not ISO 8601',
      (s) => (s.run.startedAt = 'yesterday'),
      'run.startedAt: expected an ISO 8601 time, got "yesterday"',
    ],
    ['a run id that cannot name a folder', (s) => (s.run.id = '../etc'), 'run.id: must be letters, digits'],
    [
      'a duplicate check name',
      (s) => s.checks.push({ ...s.checks[0] }),
      'duplicate check name "property session-id-stability"',
    ],
    [
      'a verdict that contradicts the checks',
      (s) => (s.checks[0].verdict = 'fail'),
      'verdict: says "pass" but check "property session-id-stability" failed',
    ],
    [
      'a zoo outcome for an unknown column',
      (s) => (s.zoo.faults[0].outcomes['made-up'] = 'detected'),
      'zoo.faults[0].outcomes.made-up: not one of zoo.columns',
    ],
    [
      'a bench calibration that is not a target',
      (s) => (s.bench.calibration = 'nginx'),
      'bench.calibration: no target has id "nginx"',
    ],
    [
      'a bench peer that is not a target',
      (s) => (s.bench.targets[5].peer = 'koa-session-mysql'),
      'bench.targets[5].peer: no target has id "koa-session-mysql"',
    ],
    ['an array where an object belongs', (s) => (s.run.machine = []), 'run.machine: expected an object, got an array'],
  ])('rejects %s and names the path', (_, edit, message) => {
    const problems = problemsOf(broken(edit));
    expect(problems.join('\n')).toContain(message);
  });

  it('rejects another schema version with a message that says which versions are involved', () => {
    const problems = problemsOf(broken((s) => (s.schemaVersion = 2)));
    expect(problems).toEqual(['schemaVersion: this sessionproof reads version 1, the file is version 2']);
  });

  it('reports every problem at once, in one readable error', () => {
    const value = broken((s) => {
      delete s.verdict;
      s.bench.targets[0].latencyMs.p99 = null;
    });
    expect(() => validateSummary(value)).toThrow(
      /verdict: missing\n\s+- bench\.targets\[0\]\.latencyMs\.p99: expected a finite number, got null/,
    );
    expect(() => parseSummary('{"schemaVersion": 1,', 'runs/a.json')).toThrow(/runs\/a\.json: not JSON/);
    expect(() => validateSummary(null)).toThrow(/summary: expected an object, got null/);
  });

  it('builds valid run metadata for this machine, with run ids that name folders and sort by time', () => {
    const early = newRunId('memory + faults/strict-refresh', new Date('2026-11-22T05:34:43Z'));
    const late = newRunId('memory', new Date('2026-11-22T15:00:00Z'));
    expect(early).toMatch(/^20261122-053443-memory-faults-strict-refresh-[0-9a-f]{4}$/);
    expect([late, early].sort()).toEqual([early, late]);
    const summary = buildSummary({
      run: {
        id: early,
        command: 'sessionproof run',
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        git: currentGit(),
        machine: currentMachine(),
        target: { kind: 'url', urls: ['http://127.0.0.1:3000'] },
      },
    });
    expect(summary.run.machine.cpus).toBeGreaterThan(0);
    expect(summary.verdict).toBe('pass');
    expect(currentGit('/')).toBeNull();
  });

  it('accepts a target reached through an adapter, with what the adapter declares', () => {
    const target = {
      kind: 'url' as const,
      urls: ['http://127.0.0.1:3000'],
      adapter: { name: 'my-shop', declares: { identity: 'path', timeouts: { idleMs: 900_000 } } },
    };
    const run = {
      id: 'adapted',
      command: 'sessionproof run',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      git: null,
      machine: currentMachine(),
      target,
    };
    expect(() => validateSummary(buildSummary({ run }))).not.toThrow();
    expect(() =>
      validateSummary({ ...buildSummary({ run }), run: { ...run, target: { ...target, adapter: { name: 'x' } } } }),
    ).toThrow(/run\.target\.adapter\.declares: missing/);
  });
});
