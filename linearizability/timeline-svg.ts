import { formatMs, type Timeline, type TimelineBar } from './timeline.ts';

export interface SvgOptions {
  /** Total width in pixels. */
  width?: number;
}

const laneLabelWidth = 120;
const rightMargin = 16;
const rowHeight = 24;
const barHeight = 18;
const legendHeight = 28;
const axisHeight = 32;

const colours = {
  ok: { fill: '#c6dbef', stroke: '#3b6ea5' },
  fail: { fill: '#e8e8e8', stroke: '#8c8c8c' },
  info: { fill: '#fde3c4', stroke: '#d9822b' },
  highlighted: { fill: '#f4b6b6', stroke: '#c0392b' },
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Round tick steps (1, 2, 5 times a power of ten) giving about eight ticks over the span. */
function tickStep(spanMs: number): number {
  const rough = spanMs / 8;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((factor) => factor * power).find((step) => step >= rough) ?? 10 * power;
}

function bar(bar: TimelineBar, x: (ms: number) => number, plotEnd: number, top: number): string {
  const palette = bar.highlighted ? colours.highlighted : colours[bar.outcome];
  const left = x(bar.startMs);
  // a bar at least 2 px wide so an instant operation still shows
  const width = Math.max(2, (bar.endMs === undefined ? plotEnd : x(bar.endMs)) - left);
  const y = top + (rowHeight - barHeight) / 2;
  const stroke = bar.highlighted ? 2 : 1;
  const dash = bar.outcome === 'fail' ? ' stroke-dasharray="4 2"' : '';
  const title = `#${bar.id} ${bar.lane} [${formatMs(bar.startMs)}, ${bar.endMs === undefined ? 'open' : formatMs(bar.endMs)}] ms ${bar.outcome}: ${bar.text}`;
  // an open (info) bar is hatched: it may have taken effect anywhere from its invoke on, or not at all
  const hatch =
    bar.endMs === undefined
      ? Array.from(
          { length: Math.ceil((width + barHeight) / 6) },
          (_, i) =>
            `<line x1="${i * 6}" y1="${barHeight}" x2="${i * 6 + barHeight}" y2="0" stroke="${palette.stroke}" stroke-opacity="0.5"/>`,
        ).join('')
      : '';
  // a nested svg clips the label and the hatching to the bar
  return [
    `<g><title>${escapeXml(title)}</title>`,
    `<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" rx="3" fill="${palette.fill}" stroke="${palette.stroke}" stroke-width="${stroke}"${dash}/>`,
    `<svg x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}">${hatch}`,
    `<text x="4" y="13" font-size="11" fill="#222">${escapeXml(bar.text)}</text></svg></g>`,
  ].join('');
}

/**
 * A self-contained SVG of a timeline: one lane per process, a bar per operation from invoke to answer, hatched and
 * open-ended for an operation whose answer never came, dashed grey for a failed one, red for the operations that
 * admit no order. Hovering a bar shows its full text.
 */
export function timelineSvg(timeline: Timeline, options: SvgOptions = {}): string {
  const width = options.width ?? 960;
  const plotStart = laneLabelWidth;
  const plotEnd = width - rightMargin;
  const span = timeline.spanMs > 0 ? timeline.spanMs : 1;
  const x = (ms: number) => plotStart + (ms / span) * (plotEnd - plotStart);

  const laneTop = new Map<string, number>();
  let top = legendHeight;
  const lanes: string[] = [];
  timeline.lanes.forEach((lane, index) => {
    laneTop.set(lane.name, top);
    const height = lane.rows * rowHeight;
    if (index % 2 === 1) lanes.push(`<rect x="0" y="${top}" width="${width}" height="${height}" fill="#f6f6f6"/>`);
    lanes.push(
      `<text x="8" y="${top + 16}" font-size="12" fill="#222">${escapeXml(lane.name.length > 16 ? `${lane.name.slice(0, 15)}…` : lane.name)}</text>`,
    );
    top += height;
  });
  const plotBottom = top;

  const step = tickStep(span);
  const ticks: string[] = [];
  for (let tick = 0; tick * step <= span * (1 + 1e-9); tick++) {
    const ms = tick * step;
    const tickX = x(ms).toFixed(1);
    ticks.push(
      `<line x1="${tickX}" y1="${legendHeight}" x2="${tickX}" y2="${plotBottom + 4}" stroke="#ddd"/>`,
      `<text x="${tickX}" y="${plotBottom + 18}" font-size="10" fill="#555" text-anchor="middle">${formatMs(ms)}</text>`,
    );
  }

  const legendEntries: [string, { fill: string; stroke: string }][] = [
    ['ok', colours.ok],
    ['failed', colours.fail],
    ['no answer (open)', colours.info],
    ['admits no order', colours.highlighted],
  ];
  const legend = legendEntries
    .map(([label, { fill, stroke }], index) => {
      const left = 8 + index * 150;
      return `<rect x="${left}" y="8" width="14" height="12" fill="${fill}" stroke="${stroke}"/><text x="${left + 20}" y="18" font-size="11" fill="#222">${label}</text>`;
    })
    .join('');

  const bars = timeline.bars.map((entry) =>
    bar(entry, x, plotEnd, (laneTop.get(entry.lane) as number) + entry.row * rowHeight),
  );
  const height = plotBottom + axisHeight;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    legend,
    ...lanes,
    ...ticks,
    `<text x="${plotEnd}" y="${plotBottom + 30}" font-size="10" fill="#555" text-anchor="end">ms since the first invoke</text>`,
    ...bars,
    '</svg>',
  ].join('\n');
}
