import { formatMs, type Timeline, type TimelineBar } from './timeline.ts';

const marker = '!';

function interval(bar: TimelineBar): [string, string] {
  return [formatMs(bar.startMs), bar.endMs === undefined ? 'open' : formatMs(bar.endMs)];
}

/**
 * A timeline for a terminal: one line per operation in invoke order, with its lane, its interval in milliseconds
 * since the first invoke, its outcome and text; the operations that admit no order are marked with `!`.
 */
export function timelineText(timeline: Timeline): string {
  const laneWidth = Math.max(4, ...timeline.bars.map((bar) => bar.lane.length));
  const intervals = timeline.bars.map(interval);
  const startWidth = Math.max(...intervals.map(([start]) => start.length), 1);
  const endWidth = Math.max(...intervals.map(([, end]) => end.length), 1);
  const lines = timeline.bars.map((bar, index) => {
    const [start, end] = intervals[index] as [string, string];
    return [
      bar.highlighted ? marker : ' ',
      bar.lane.padEnd(laneWidth),
      `[${start.padStart(startWidth)}, ${end.padStart(endWidth)}]`,
      bar.outcome.padEnd(4),
      bar.text,
    ].join(' ');
  });
  if (timeline.bars.some((bar) => bar.highlighted)) lines.push(`${marker} admits no order`);
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text
    .replace(/[\\|*`]/g, '\\$&')
    .replace(/</g, '&lt;')
    .replace(/\n/g, ' ');
}

/** The same timeline as a Markdown table, for summary.md. */
export function timelineMarkdown(timeline: Timeline): string {
  const rows = timeline.bars.map((bar) => {
    const [start, end] = interval(bar);
    const text = bar.highlighted ? `**${cell(bar.text)}**` : cell(bar.text);
    return `| ${bar.highlighted ? 'no order' : ''} | ${cell(bar.lane)} | ${start} | ${end} | ${bar.outcome} | ${text} |`;
  });
  return ['|  | lane | start ms | end ms | outcome | operation |', '|---|---|---:|---:|---|---|', ...rows, ''].join(
    '\n',
  );
}
