import { describe, expect, it } from 'vitest';
import type { RegisterInput, RegisterOutput } from '../../linearizability/bench/models.ts';
import { registerModel } from '../../linearizability/bench/models.ts';
import { check } from '../../linearizability/checker.ts';
import { timeline } from '../../linearizability/timeline.ts';
import { timelineSvg } from '../../linearizability/timeline-svg.ts';
import { timelineMarkdown, timelineText } from '../../linearizability/timeline-text.ts';
import { historyOf } from './support.ts';

const history = historyOf<RegisterInput, RegisterOutput>([
  { process: 'alice', input: { kind: 'write', value: 1 }, output: null, at: [1000, 1010] },
  { process: 'bob <&>', input: { kind: 'read' }, output: 0, at: [1020, 1030.5] },
  { process: 'alice', input: { kind: 'write', value: 2 }, open: 1012 },
  { process: 'alice', input: { kind: 'write', value: 3 }, failed: undefined, at: [1015, 1016] },
  { process: 'carol', input: { kind: 'read' }, output: 1, at: [1040, 1050] },
]);
const result = check(registerModel, history);
const highlight = result.decidedBy?.verdict === 'not-linearizable' ? result.decidedBy.unorderable : [];
const laidOut = timeline(history, {
  highlight: highlight.map((operation) => operation.id),
  describe: (operation) =>
    registerModel.describeOperation?.(operation.input, operation.outcome === 'ok' ? operation.output : undefined) ?? '',
});

describe('the timeline', () => {
  it('lays operations out by lane from the first invoke, an open one on its own row', () => {
    expect(result.verdict).toBe('not-linearizable');
    expect(laidOut.spanMs).toBe(50);
    expect(laidOut.lanes).toEqual([
      { name: 'alice', rows: 2 },
      { name: 'bob <&>', rows: 1 },
      { name: 'carol', rows: 1 },
    ]);
    expect(laidOut.bars.map((bar) => [bar.id, bar.row, bar.startMs, bar.endMs, bar.highlighted])).toEqual([
      [0, 0, 0, 10, false],
      [2, 0, 12, undefined, false],
      [3, 1, 15, 16, false],
      [1, 0, 20, 30.5, true],
      [4, 0, 40, 50, false],
    ]);
  });

  it('labels operations with their input and output as JSON unless told otherwise', () => {
    expect(timeline(history).bars.map((bar) => bar.text)).toEqual([
      '{"kind":"write","value":1} → null',
      '{"kind":"write","value":2} → ?',
      '{"kind":"write","value":3} → failed',
      '{"kind":"read"} → 0',
      '{"kind":"read"} → 1',
    ]);
  });

  it('as text: one line per operation in invoke order, the ones that admit no order marked', () => {
    expect(timelineText(laidOut)).toBe(
      [
        '  alice   [ 0,   10] ok   write 1',
        '  alice   [12, open] info write 2',
        '  alice   [15,   16] fail write 3',
        '! bob <&> [20, 30.5] ok   read → 0',
        '  carol   [40,   50] ok   read → 1',
        '! admits no order',
        '',
      ].join('\n'),
    );
  });

  it('as Markdown: a table, with table syntax in the text escaped', () => {
    const markdown = timelineMarkdown(timeline(history, { highlight: [1], describe: () => 'a|b*c' }));
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('|  | lane | start ms | end ms | outcome | operation |');
    expect(lines).toContain('| no order | bob &lt;&> | 20 | 30.5 | ok | **a\\|b\\*c** |');
    expect(lines).toContain('|  | alice | 12 | open | info | a\\|b\\*c |');
  });

  it('as SVG: self-contained, escaped, one bar per operation, open bars hatched, a time axis in ms', () => {
    const svg = timelineSvg(laidOut);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toMatch(/<style|href=|url\(/);
    expect(svg).toContain('bob &#60;&#38;&#62;');
    expect(svg).not.toContain('bob <&>');
    expect(svg.match(/<title>/g)).toHaveLength(5);
    expect(svg).toContain('<title>#1 bob &#60;&#38;&#62; [20, 30.5] ms ok: read → 0</title>');
    // the highlighted bar, the failed bar and the open bar each have their own look
    expect(svg).toMatch(/<title>#1 [^]*?stroke="#c0392b" stroke-width="2"/);
    expect(svg).toMatch(/<title>#3 [^]*?stroke-dasharray="4 2"/);
    expect(svg).toMatch(/<title>#2 [^<]*<\/title><rect [^>]*\/><svg [^>]*><line /);
    expect(svg).toContain('>50</text>');
    expect(svg).toContain('ms since the first invoke');
  });
});
