import { describe, expect, it } from 'vitest';
import { buildSummary } from '../../reports/summary.ts';
import { renderMarkdown } from '../../reports/write-markdown.ts';
import { sampleSummary } from './fixtures.ts';

/** The rows of the Markdown table that follows `### heading` (header and separator dropped). */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const first = lines.findIndex((line, i) => i > start && line.startsWith('| '));
  const rows: string[][] = [];
  for (let i = first + 2; lines[i]?.startsWith('| '); i++) {
    rows.push(lines[i]!.slice(2, -2).split(/(?<!\\) \| /));
  }
  return rows;
}

describe('Markdown report', () => {
  it('leads with the verdict and the check counts, and has one row per property, scenario, fault and bench target', () => {
    const s = sampleSummary();
    const md = renderMarkdown(s);
    expect(md.split('\n')[0]).toBe('## sessionproof: ✅ PASS');
    expect(md).toContain(
      `**${s.checks.filter((c) => c.verdict === 'pass').length} of ${s.checks.length} checks passed**, 1 skipped.`,
    );
    expect(md).not.toContain('### Failed checks');
    expect(tableAfter(md, '### Properties').map((r) => r[0])).toEqual(s.properties!.map((p) => p.name));
    expect(tableAfter(md, '### Load scenarios').map((r) => `${r[0]}/${r[1]}`)).toEqual(
      s.scenarios!.map((x) => `${x.scenario}/${x.store}`),
    );
    expect(tableAfter(md, '### Fault zoo (memory)').map((r) => r[0])).toEqual(s.zoo!.faults.map((f) => f.fault));
    const bench = tableAfter(md, '### Bench');
    expect(bench.map((r) => r[0])).toEqual([
      'bare-node',
      'koa-session',
      'reference-read',
      'reference-write',
      'koa-session-redis',
      'reference-redis-read',
    ]);
    expect(bench[0]![6]).toBe('1.00x');
    const rps = (id: string) => s.bench!.targets.find((t) => t.id === id)!.requestsPerSecond;
    expect(bench[2]![6]).toBe(`${(rps('reference-read') / rps('bare-node')).toFixed(2)}x`);
    // Each subject against its peer on its own store; one without a peer against the baseline; peers themselves blank.
    expect(bench[5]!.slice(7, 9)).toEqual([
      `${(rps('reference-redis-read') / rps('koa-session-redis')).toFixed(2)}x`,
      'koa-session-redis',
    ]);
    expect(bench[2]!.slice(7, 9)).toEqual([
      `${(rps('reference-read') / rps('koa-session')).toFixed(2)}x`,
      'koa-session',
    ]);
    expect(bench[4]!.slice(7, 9)).toEqual(['', '']);
    expect(md).toMatch(/^\| bench reference-read throughput vs koa-session \| >= 0\.60x \| 0\.\d\dx \| ✅ pass \|$/m);
  });

  it('lists failed checks first with their replay commands, and shows the shrunk counterexample', () => {
    const md = renderMarkdown(
      sampleSummary({ failingProperty: 'no-lost-updates', lostUpdates: 3, undetectedFault: 'strict-refresh' }),
    );
    expect(md.split('\n')[0]).toBe('## sessionproof: ❌ FAIL');
    const failed = tableAfter(md, '### Failed checks');
    expect(failed.map((r) => r[0])).toEqual([
      'property no-lost-updates',
      'scenario cart-contention/memory: lost updates',
      'zoo fault strict-refresh detected',
    ]);
    expect(failed[0]![3]).toBe('`sessionproof props --only no-lost-updates --seed 4000012 --path 36:2:0:1`');
    expect(failed[1]!.slice(1, 3)).toEqual(['== 0', '3']);
    expect(md).toMatch(
      /^\| cart-contention\/memory \| lost updates \| 3 \| == 0 \| ❌ FAIL \| adds the server acknowledged are missing from the final carts \|$/m,
    );
    expect(md).toContain('<details><summary>Counterexample: no-lost-updates</summary>');
    expect(md).toContain('model says SKU-0001 quantity 5, server says 3');
    expect(tableAfter(md, '### Fault zoo (memory)').find((r) => r[0] === 'strict-refresh')![1]).toBe('❌ MISSED');
  });

  it('keeps a table intact when a value holds a pipe or a line break', () => {
    const s = sampleSummary();
    const md = renderMarkdown(buildSummary({ ...s, properties: [{ ...s.properties![0]!, name: 'a|b\nc' }] }));
    const rows = tableAfter(md, '### Properties');
    expect(rows).toHaveLength(1);
    expect(rows[0]![0]).toBe('a\\|b c');
  });
});
