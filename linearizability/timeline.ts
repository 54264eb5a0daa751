import type { Operation, Outcome } from './history.ts';

/** One operation as a bar: times in milliseconds from the first invoke. */
export interface TimelineBar {
  id: number;
  lane: string;
  /** Row within the lane: a process whose operation was left open may overlap its own later operations. */
  row: number;
  startMs: number;
  /** Undefined for an info operation, which stays open to the end of the history. */
  endMs: number | undefined;
  outcome: Outcome;
  text: string;
  highlighted: boolean;
}

export interface Timeline {
  /** Lanes in order of their first invoke, with how many rows each needs. */
  lanes: { name: string; rows: number }[];
  /** In invoke order. */
  bars: TimelineBar[];
  /** From the first invoke to the last event. */
  spanMs: number;
}

export interface TimelineOptions<I, O> {
  /** Operation ids to highlight: the operations that admit no order. */
  highlight?: Iterable<number>;
  describe?: (operation: Operation<I, O>) => string;
}

/** Microsecond precision is as much as a monotonic clock in a busy process can honestly claim. */
export function formatMs(ms: number): string {
  return String(Number(ms.toFixed(3)));
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/** The label when the caller gives none: input and output as JSON. */
function operationLabel<I, O>(operation: Operation<I, O>): string {
  const input = show(operation.input);
  if (operation.outcome === 'info') return `${input} → ?`;
  if (operation.outcome === 'fail') {
    return operation.output === undefined ? `${input} → failed` : `${input} → failed ${show(operation.output)}`;
  }
  return `${input} → ${show(operation.output)}`;
}

/** Lays a history out in lanes, one per process, ready for a writer (SVG, text, Markdown). */
export function timeline<I, O>(operations: readonly Operation<I, O>[], options: TimelineOptions<I, O> = {}): Timeline {
  const highlight = new Set(options.highlight ?? []);
  const describe = options.describe ?? operationLabel;
  const ordered = [...operations].sort((a, b) => a.invokedAt - b.invokedAt || a.id - b.id);
  const origin = ordered[0]?.invokedAt ?? 0;
  let spanMs = 0;
  for (const operation of ordered) {
    spanMs = Math.max(spanMs, (operation.completedAt ?? operation.invokedAt) - origin);
  }
  const lanes = new Map<string, number[]>(); // per lane, the end of the last bar in each row
  const bars = ordered.map((operation): TimelineBar => {
    const startMs = operation.invokedAt - origin;
    const endMs = operation.outcome === 'info' ? undefined : operation.completedAt - origin;
    const rowEnds = lanes.get(operation.process) ?? [];
    lanes.set(operation.process, rowEnds);
    let row = rowEnds.findIndex((end) => end <= startMs);
    if (row === -1) row = rowEnds.push(0) - 1;
    rowEnds[row] = endMs ?? Infinity;
    return {
      id: operation.id,
      lane: operation.process,
      row,
      startMs,
      endMs,
      outcome: operation.outcome,
      text: describe(operation),
      highlighted: highlight.has(operation.id),
    };
  });
  return { lanes: [...lanes].map(([name, rowEnds]) => ({ name, rows: rowEnds.length })), bars, spanMs };
}
