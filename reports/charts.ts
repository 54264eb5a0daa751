import { escapeXml } from './write-junit.ts';

/**
 * Small SVG charts drawn as strings, so the report page needs no script library and no network. Every plotted
 * mark carries class `datum`, which the page's self-check (and the browser test) counts.
 */

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

export interface Band {
  from: number;
  to: number;
  label: string;
}

export interface Bar {
  label: string;
  value: number;
  color: string;
  /** Text printed at the end of the bar; defaults to the value. */
  note?: string;
}

const esc = escapeXml;
const font = 'font-family="system-ui, sans-serif"';

/** A round upper bound for an axis and its tick count, so ticks land on round numbers (0, 250, 500, ...). */
export function niceScale(value: number): { max: number; ticks: number } {
  if (!(value > 0)) return { max: 1, ticks: 4 };
  const power = 10 ** Math.floor(Math.log10(value));
  const [mantissa, ticks] = (
    [
      [1, 4],
      [2, 4],
      [2.5, 5],
      [4, 4],
      [5, 5],
      [8, 4],
      [10, 5],
    ] as const
  ).find(([m]) => m * power >= value)!;
  return { max: mantissa * power, ticks };
}

const label = (value: number) =>
  value >= 1000 ? `${+(value / 1000).toFixed(1)}k` : `${+value.toFixed(value < 10 ? 2 : 1)}`;

function yGrid(max: number, ticks: number, py: (y: number) => number, left: number, right: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i <= ticks; i++) {
    const y = (max * i) / ticks;
    parts.push(`<line x1="${left}" x2="${right}" y1="${py(y)}" y2="${py(y)}" stroke="#e5e7eb"/>`);
    parts.push(
      `<text x="${left - 6}" y="${py(y) + 4}" ${font} font-size="11" fill="#4b5563" text-anchor="end">${label(y)}</text>`,
    );
  }
  return parts;
}

function frame(kind: string, title: string, width: number, height: number, points: number, body: string): string {
  return (
    `<svg class="chart" data-chart="${esc(kind)}" data-points="${points}" xmlns="http://www.w3.org/2000/svg" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">` +
    `<text x="8" y="18" ${font} font-size="14" font-weight="600" fill="#111827">${esc(title)}</text>${body}</svg>`
  );
}

function empty(kind: string, title: string): string {
  return frame(
    kind,
    title,
    560,
    80,
    0,
    `<text x="8" y="50" ${font} font-size="13" fill="#6b7280">no data in this run</text>`,
  );
}

/** Lines over a shared x axis (seconds), with shaded bands for named phases. */
export function lineChart(options: {
  kind: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  bands?: Band[];
}): string {
  const all = options.series.flatMap((s) => s.points);
  if (all.length === 0) return empty(options.kind, options.title);
  const [width, height] = [560, 240];
  const m = { left: 56, right: 16, top: 44, bottom: 40 };
  const xs = all.map(([x]) => x);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const { max: yMax, ticks } = niceScale(Math.max(...all.map(([, y]) => y)));
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (y: number) => height - m.bottom - (y / yMax) * (height - m.top - m.bottom);
  const parts: string[] = [];
  // A narrow band's label would run into the next band's: that one drops a line (text is taken as ~6 px a character).
  let labelLine = 0;
  let labelEnd = -Infinity;
  for (const band of options.bands ?? []) {
    const a = px(Math.max(band.from, x0));
    const b = px(Math.min(band.to, x1));
    if (b <= a) continue;
    labelLine = a + 4 < labelEnd ? labelLine + 1 : 0;
    labelEnd = a + 4 + 6 * band.label.length;
    parts.push(
      `<rect x="${a}" y="${m.top}" width="${b - a}" height="${height - m.top - m.bottom}" fill="#fde68a" opacity="0.45"/>`,
    );
    parts.push(
      `<text class="band-label" x="${a + 4}" y="${m.top + 12 + 13 * labelLine}" ${font} font-size="11" fill="#92400e">${esc(band.label)}</text>`,
    );
  }
  parts.push(...yGrid(yMax, ticks, py, m.left, width - m.right));
  const xStep = niceScale((x1 - x0) / 5).max;
  for (let x = Math.ceil(x0 / xStep) * xStep; x <= x1 + 1e-9; x += xStep) {
    parts.push(
      `<text x="${px(x)}" y="${height - m.bottom + 16}" ${font} font-size="11" fill="#4b5563" text-anchor="middle">${label(x)}</text>`,
    );
  }
  parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${py(0)}" y2="${py(0)}" stroke="#9ca3af"/>`);
  parts.push(
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 6}" ${font} font-size="11" fill="#4b5563" text-anchor="middle">${esc(options.xLabel)}</text>`,
  );
  parts.push(`<text x="12" y="${m.top - 10}" ${font} font-size="11" fill="#4b5563">${esc(options.yLabel)}</text>`);
  options.series.forEach((s, i) => {
    const coords = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    parts.push(
      `<polyline class="datum" data-series="${esc(s.name)}" points="${coords.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`,
    );
    if (s.points.length <= 120)
      for (const c of coords)
        parts.push(`<circle class="datum" cx="${c.split(',')[0]}" cy="${c.split(',')[1]}" r="2.2" fill="${s.color}"/>`);
    const lx = width - m.right - 110 * (options.series.length - i);
    parts.push(
      `<rect x="${lx}" y="26" width="12" height="4" fill="${s.color}"/><text x="${lx + 16}" y="31" ${font} font-size="11" fill="#111827">${esc(s.name)}</text>`,
    );
  });
  return frame(options.kind, options.title, width, height, all.length, parts.join(''));
}

/** Horizontal bars with optional marker lines (1.0x, a goal). */
export function barChart(options: {
  kind: string;
  title: string;
  bars: Bar[];
  markers?: { value: number; label: string }[];
  unit?: string;
}): string {
  if (options.bars.length === 0) return empty(options.kind, options.title);
  const row = 26;
  // Labels are not measured by the browser here, so the margin is sized from their length at ~7 px a character.
  const m = {
    left: Math.min(300, 16 + 7 * Math.max(...options.bars.map((b) => b.label.length))),
    right: 140,
    top: 36,
    bottom: 24,
  };
  const width = 640;
  const height = m.top + m.bottom + row * options.bars.length;
  const { max } = niceScale(
    Math.max(...options.bars.map((b) => b.value), ...(options.markers ?? []).map((k) => k.value)),
  );
  const px = (v: number) => m.left + (v / max) * (width - m.left - m.right);
  // Marker lines go under the bars and their labels, so a value written across a line stays legible.
  const markers: string[] = [];
  for (const marker of options.markers ?? []) {
    const x = px(marker.value);
    markers.push(
      `<line x1="${x}" x2="${x}" y1="${m.top - 4}" y2="${height - m.bottom + 4}" stroke="#374151" stroke-dasharray="4 3"/>`,
    );
    markers.push(
      `<text x="${x}" y="${height - 6}" ${font} font-size="11" fill="#374151" text-anchor="middle">${esc(marker.label)}</text>`,
    );
  }
  const parts = options.bars.map((bar, i) => {
    const y = m.top + i * row;
    return (
      `<text x="${m.left - 8}" y="${y + 16}" ${font} font-size="12" fill="#111827" text-anchor="end">${esc(bar.label)}</text>` +
      `<rect class="datum" x="${m.left}" y="${y + 4}" width="${Math.max(1, px(bar.value) - m.left)}" height="${row - 8}" fill="${bar.color}" rx="2"/>` +
      `<text x="${px(bar.value) + 6}" y="${y + 16}" ${font} font-size="12" fill="#111827" stroke="#fafafa" stroke-width="3" paint-order="stroke">${esc(bar.note ?? `${label(bar.value)}${options.unit ?? ''}`)}</text>`
    );
  });
  return frame(options.kind, options.title, width, height, options.bars.length, [...markers, ...parts].join(''));
}

/** Vertical bars over integer values: how many observations had each value. */
export function histogram(options: {
  kind: string;
  title: string;
  xLabel: string;
  yLabel: string;
  buckets: { value: number; count: number }[];
  color: string;
}): string {
  if (options.buckets.length === 0) return empty(options.kind, options.title);
  const [width, height] = [560, 220];
  const m = { left: 56, right: 16, top: 40, bottom: 40 };
  const { max: yMax, ticks } = niceScale(Math.max(...options.buckets.map((b) => b.count)));
  const slot = (width - m.left - m.right) / options.buckets.length;
  const py = (y: number) => height - m.bottom - (y / yMax) * (height - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(...yGrid(yMax, ticks, py, m.left, width - m.right));
  options.buckets.forEach((b, i) => {
    const x = m.left + i * slot;
    const top = py(b.count);
    parts.push(
      `<rect class="datum" x="${x + slot * 0.15}" y="${top}" width="${slot * 0.7}" height="${Math.max(1, py(0) - top)}" fill="${options.color}" rx="2"/>`,
    );
    parts.push(
      `<text x="${x + slot / 2}" y="${top - 4}" ${font} font-size="11" fill="#111827" text-anchor="middle">${b.count}</text>`,
    );
    parts.push(
      `<text x="${x + slot / 2}" y="${height - m.bottom + 16}" ${font} font-size="11" fill="#4b5563" text-anchor="middle">${label(b.value)}</text>`,
    );
  });
  parts.push(
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 6}" ${font} font-size="11" fill="#4b5563" text-anchor="middle">${esc(options.xLabel)}</text>`,
  );
  parts.push(`<text x="12" y="${m.top - 10}" ${font} font-size="11" fill="#4b5563">${esc(options.yLabel)}</text>`);
  return frame(options.kind, options.title, width, height, options.buckets.length, parts.join(''));
}
