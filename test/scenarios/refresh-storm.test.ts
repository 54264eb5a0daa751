import { describe, expect, it } from 'vitest';
import { buildSummary, currentMachine } from '../../reports/summary.ts';
import type { ScenarioResult } from '../../reports/schema.ts';
import { runScenario } from '../../scenarios/run.ts';
import { counter, figure, quiet } from './counters.ts';

/**
 * The refresh storm over loopback against the reference server in its child process: 300 virtual clients with 4
 * requests each in flight over one shared pool. Speed figures are the scenario report's business, never a test's;
 * the timeout only bounds a run that takes about 10 s on 2 idle cores and over 40 s on 2 cores shared with other
 * work (the storm's own recovery deadline is 60 s).
 */
const timeout = 120_000;
const storm = { scenario: 'refresh-storm', parallel: 4, ...quiet } as const;
const clients = { clients: 300, durationSeconds: 1.5 };

function validates(result: ScenarioResult): void {
  const now = new Date().toISOString();
  buildSummary({
    run: {
      id: 'refresh-storm-test',
      command: 'vitest',
      startedAt: now,
      finishedAt: now,
      git: null,
      machine: currentMachine(),
      target: { kind: 'reference', store: 'memory', faults: [] },
    },
    scenarios: [result],
  });
}

describe('refresh-storm, 4 requests per client in flight', () => {
  it(
    'naive clients: every client is back to 200 with no spurious logout on the clean server',
    { timeout },
    async () => {
      const result = await runScenario({ ...storm, clientKind: 'naive', load: clients });
      expect(counter(result, 'spurious logouts')).toBe(0);
      expect(counter(result, 'clients never back to 200')).toBe(0);
      expect(counter(result, 'reuse detections (REFRESH_TOKEN_REUSED)')).toBe(0);
      expect(counter(result, '401s seen')).toBeGreaterThanOrEqual(300);
      expect(counter(result, 'refresh calls')).toBeGreaterThan(300);
      expect(figure(result, 'time until every client is back to 200')).toBeGreaterThan(0);
      for (const name of ['generator CPU share', 'server CPU share', 'generator peak RSS'])
        expect(figure(result, name), name).toBeGreaterThan(0);
      expect(result.phases.map((p) => p.name)).toEqual(['before-expiry', 'storm']);
      validates(result);
    },
  );

  it('single-flight clients (100 of them): exactly one refresh per client', { timeout }, async () => {
    const result = await runScenario({ ...storm, clientKind: 'single-flight', load: { ...clients, clients: 100 } });
    expect(counter(result, 'spurious logouts')).toBe(0);
    expect(counter(result, 'clients never back to 200')).toBe(0);
    expect(result.distributions.find((d) => d.name === 'refresh calls per client')!.buckets).toEqual([
      { value: 1, count: 100 },
    ]);
  });

  it(
    'with strict-refresh, naive clients racing their refreshes are signed out, and the report says who never came back',
    { timeout },
    async () => {
      const result = await runScenario({ ...storm, clientKind: 'naive', faults: ['strict-refresh'], load: clients });
      const signedOut = counter(result, 'spurious logouts');
      expect(signedOut).toBeGreaterThan(0);
      expect(counter(result, 'reuse detections (REFRESH_TOKEN_REUSED)')).toBeGreaterThan(0);
      expect(counter(result, 'clients never back to 200')).toBeGreaterThanOrEqual(signedOut);
      const everyClient = result.figures.find((f) => f.name === 'time until every client is back to 200')!;
      expect(everyClient.value).toBeNull();
      expect(everyClient.note).toBe(`not reached (${counter(result, 'clients never back to 200')} clients)`);
      validates(result);
    },
  );
});
