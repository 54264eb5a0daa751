import { describe, expect, it } from 'vitest';
import type { Check } from '../../reports/schema.ts';
import { buildSummary } from '../../reports/summary.ts';
import { renderJunit } from '../../reports/write-junit.ts';
import { sampleSummary } from './fixtures.ts';
import { descendants, parseXml } from './xml.ts';

describe('JUnit report', () => {
  it('parses back with one testcase per check and counts that match', () => {
    const s = sampleSummary({
      failingProperty: 'merge-correctness',
      lostUpdates: 1,
      undetectedFault: 'cart-in-session',
    });
    const root = parseXml(renderJunit(s));
    expect(root.name).toBe('testsuites');
    const cases = descendants(root, 'testcase');
    expect(cases.map((c) => c.attributes['name'])).toEqual(s.checks.map((c) => c.name));
    const count = (verdict: Check['verdict']) => String(s.checks.filter((c) => c.verdict === verdict).length);
    expect(root.attributes).toMatchObject({
      tests: String(s.checks.length),
      failures: count('fail'),
      skipped: count('skip'),
      errors: '0',
    });
    expect(count('fail')).toBe('3');
    for (const suite of descendants(root, 'testsuite')) {
      const own = suite.children.filter((c) => c.name === 'testcase');
      expect(suite.attributes['tests']).toBe(String(own.length));
      expect(suite.attributes['failures']).toBe(
        String(own.filter((c) => c.children.some((x) => x.name === 'failure')).length),
      );
      expect(suite.attributes['skipped']).toBe(
        String(own.filter((c) => c.children.some((x) => x.name === 'skipped')).length),
      );
    }
    expect(descendants(root, 'testsuite').map((x) => x.attributes['name'])).toEqual([
      'properties',
      'scenario checks',
      'fault zoo',
      'bench',
    ]);
  });

  it('puts the message and the replay command in each failure', () => {
    const s = sampleSummary({ failingProperty: 'merge-correctness', lostUpdates: 1 });
    const root = parseXml(renderJunit(s));
    const failing = descendants(root, 'testcase').filter((c) => c.children.some((x) => x.name === 'failure'));
    const property = failing.find((c) => c.attributes['name'] === 'property merge-correctness')!;
    const failure = property.children.find((x) => x.name === 'failure')!;
    expect(failure.attributes['message']).toBe('model says SKU-0001 quantity 5, server says 3');
    expect(failure.text).toContain(
      'replay: sessionproof props --only merge-correctness --seed 5000015 --path 36:2:0:1',
    );
    const counter = failing.find((c) => c.attributes['name'] === 'scenario cart-contention/memory: lost updates')!;
    expect(counter.children[0]!.attributes['message']).toBe(
      'lost updates was 1, expected == 0: adds the server acknowledged are missing from the final carts',
    );
    const skipped = descendants(root, 'skipped');
    expect(skipped.map((x) => x.attributes['message'])).toEqual(['target lacks controls.strict']);
  });

  it('escapes markup, quotes and control characters so the file stays valid XML', () => {
    const nasty = `<script>alert("x")</script> & 'quotes' ]]> \u0007bell`;
    const base = sampleSummary();
    const s = buildSummary({
      run: base.run,
      extraChecks: [
        {
          name: `odd ${nasty}`,
          source: 'run',
          expected: '< 1',
          actual: '> 2 & rising',
          verdict: 'fail',
          message: nasty,
          replay: `curl -d '{"a":1}' "http://x/?a=1&b=2"`,
        },
      ],
    });
    const xml = renderJunit(s);
    const root = parseXml(xml);
    const [testcase] = descendants(root, 'testcase');
    expect(testcase!.attributes['name']).toBe(`odd <script>alert("x")</script> & 'quotes' ]]> bell`);
    const failure = testcase!.children[0]!;
    expect(failure.text).toContain(`replay: curl -d '{"a":1}' "http://x/?a=1&b=2"`);
    expect(failure.text).toContain('actual: > 2 & rising');
    expect(xml).not.toContain('<script>');
  });

  it('is checked by a reader that refuses malformed XML', () => {
    expect(() => parseXml('<a>1 & 2</a>')).toThrow(/bad entity/);
    expect(() => parseXml('<a><b></a>')).toThrow(/unexpected closing tag/);
    expect(() => parseXml('<a x="1"><b>1 < 2</b></a>')).toThrow(/malformed tag/);
    expect(() => parseXml('<a>\u0007</a>')).toThrow(/control character/);
    expect(() => parseXml('<a/><b/>')).toThrow(/more than one root/);
  });
});
