import type { Operation } from './history.ts';
import { AnyOf, type SequentialModel } from './model.ts';
import { partition, type Partition } from './partition.ts';

export type Verdict = 'linearizable' | 'not-linearizable' | 'unchecked';

/** Which limit stopped the search; a search stopped early proves nothing either way. */
export interface Bound {
  kind: 'operations' | 'time' | 'states';
  limit: number;
}

export interface CheckBounds {
  /** Operations (ok and info; fail is dropped first) one partition may hold before it is left unchecked. */
  maxOperations: number;
  /** Wall-clock budget for the whole check, over all partitions, in milliseconds. */
  timeBudgetMs: number;
  /** Distinct (linearized set, model state) configurations one partition may visit. */
  maxStates: number;
}

export const defaultBounds: CheckBounds = { maxOperations: 1_000, timeBudgetMs: 10_000, maxStates: 2_000_000 };

export interface CheckOptions<I> extends Partial<CheckBounds> {
  /** The independent objects an input touches; without it the history is checked as one partition. */
  keyOf?: (input: I) => string | readonly string[];
  /** Monotonic milliseconds for the time budget; tests pass a fake one so that no test depends on speed. */
  clock?: () => number;
}

interface PartitionFacts<I, O> {
  /** The partition's key ('all' when the history was not partitioned). */
  partition: string;
  /** The partition's operations, fail included, in invoke order. */
  operations: Operation<I, O>[];
  /** Distinct configurations visited. */
  exploredStates: number;
}

export type PartitionResult<I, O> =
  | (PartitionFacts<I, O> & {
      verdict: 'linearizable';
      /** One order that explains every answer; an info operation left out of it need not have taken effect. */
      linearization: Operation<I, O>[];
    })
  | (PartitionFacts<I, O> & {
      verdict: 'not-linearizable';
      /** The longest order the search found that the model accepts. */
      longestPrefix: Operation<I, O>[];
      /** The operations that could come next after that prefix, none of which the model accepts there. */
      unorderable: Operation<I, O>[];
      /** The model states the prefix may leave, described by the model when it can. */
      statesAfterPrefix: string[];
    })
  | (PartitionFacts<I, O> & { verdict: 'unchecked'; bound: Bound });

export interface CheckResult<I, O> {
  /** The worst over the partitions: not-linearizable beats unchecked beats linearizable. */
  verdict: Verdict;
  /** The first partition whose verdict is the overall one, when that is not linearizable. */
  decidedBy: PartitionResult<I, O> | undefined;
  partitions: PartitionResult<I, O>[];
  elapsedMs: number;
}

const severity: Record<Verdict, number> = { linearizable: 0, unchecked: 1, 'not-linearizable': 2 };

/**
 * Decides whether a history is linearizable against a sequential model: whether some total order of its operations,
 * consistent with real time (an operation answered before another was invoked comes first), makes every answer the
 * one the model gives.
 */
export function check<S, I, O>(
  model: SequentialModel<S, I, O>,
  operations: readonly Operation<I, O>[],
  options: CheckOptions<I> = {},
): CheckResult<I, O> {
  const clock = options.clock ?? (() => performance.now());
  const bounds: CheckBounds = {
    maxOperations: options.maxOperations ?? defaultBounds.maxOperations,
    timeBudgetMs: options.timeBudgetMs ?? defaultBounds.timeBudgetMs,
    maxStates: options.maxStates ?? defaultBounds.maxStates,
  };
  const started = clock();
  const deadline = started + bounds.timeBudgetMs;
  const partitions: Partition<I, O>[] = options.keyOf
    ? partition(operations, options.keyOf)
    : [{ key: 'all', operations: [...operations] }];
  const results = partitions.map((part) => checkPartition(model, part, bounds, () => clock() > deadline));
  let decidedBy: PartitionResult<I, O> | undefined;
  for (const result of results) {
    if (severity[result.verdict] > severity[decidedBy?.verdict ?? 'linearizable']) decidedBy = result;
  }
  return {
    verdict: decidedBy?.verdict ?? 'linearizable',
    decidedBy,
    partitions: results,
    elapsedMs: clock() - started,
  };
}

/**
 * The states the model may be in after some order: a set, so that a nondeterministic step stays one branch of the
 * search. An order is possible exactly when its set is non-empty, and the set's key memoises like a single state.
 */
interface StateSet<S> {
  states: S[];
  key: string;
}

/** One operation placed in the order: its call node and the states before it. */
interface Choice<S> {
  node: number;
  before: StateSet<S>;
  below: Choice<S> | undefined;
}

function stepAll<S, I, O>(
  model: SequentialModel<S, I, O>,
  from: StateSet<S>,
  operation: Operation<I, O>,
): StateSet<S> | null {
  const output = operation.outcome === 'ok' ? operation.output : undefined;
  const next: S[] = [];
  for (const state of from.states) {
    const result = model.step(state, operation.input, output);
    if (result instanceof AnyOf) next.push(...result.states);
    else if (result !== null) next.push(result);
  }
  if (next.length === 0) return null;
  if (next.length === 1) return { states: next, key: model.key(next[0] as S) };
  const byKey = new Map<string, S>();
  for (const state of next) byKey.set(model.key(state), state);
  if (byKey.size === 1) return { states: [...byKey.values()], key: byKey.keys().next().value as string };
  const keys = [...byKey.keys()].sort();
  // NUL-led so that a set never shares a key with a single state
  return { states: keys.map((key) => byKey.get(key) as S), key: `\u0000${JSON.stringify(keys)}` };
}

/**
 * Wing and Gong's search with Lowe's memoisation, after Porcupine's checkSingle. The calls and returns of the
 * operations form a doubly linked list in time order. The search walks it from the head: a call met before any return
 * belongs to an operation that may take effect next; linearizing it unlinks its call and return and restarts from the
 * head. Meeting a return means its operation had to come next and could not, so the search backtracks. A
 * configuration (set of linearized operations, model state) seen before leads where it led then, so it is skipped.
 *
 * An info operation's return sits after every other event: it may take effect any time after its call, or never,
 * so the search succeeds once every ok operation is linearized.
 */
function checkPartition<S, I, O>(
  model: SequentialModel<S, I, O>,
  part: Partition<I, O>,
  bounds: CheckBounds,
  pastDeadline: () => boolean,
): PartitionResult<I, O> {
  const facts = { partition: part.key, operations: part.operations, exploredStates: 0 };
  // ranked by invoke time, so that the operations invoked before a given one are the ones ranked below it
  const ops = part.operations
    .filter((operation) => operation.outcome !== 'fail')
    .sort((a, b) => a.invokedAt - b.invokedAt);
  const n = ops.length;
  if (n > bounds.maxOperations) {
    return { ...facts, verdict: 'unchecked', bound: { kind: 'operations', limit: bounds.maxOperations } };
  }
  if (pastDeadline()) return { ...facts, verdict: 'unchecked', bound: { kind: 'time', limit: bounds.timeBudgetMs } };

  // node 0 is the head; node 2i+1 is the call of ops[i] and 2i+2 its return
  const events: { node: number; time: number; isReturn: boolean }[] = [];
  ops.forEach((operation, i) => {
    events.push({ node: 2 * i + 1, time: operation.invokedAt, isReturn: false });
    const answered = operation.outcome === 'ok' ? operation.completedAt : Infinity;
    events.push({ node: 2 * i + 2, time: answered, isReturn: true });
  });
  // at equal times calls go first: operations that touch in time count as concurrent, which never invents a violation
  events.sort((a, b) => a.time - b.time || Number(a.isReturn) - Number(b.isReturn));
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  const position = new Int32Array(2 * n + 1);
  let last = 0;
  events.forEach(({ node }, index) => {
    next[last] = node;
    prev[node] = last;
    position[node] = index;
    last = node;
  });
  const isCall = (node: number) => node % 2 === 1;
  const opOf = (node: number) => (node - 1) >> 1;
  const isOpen = ops.map((operation) => operation.outcome === 'info');
  const unlink = (node: number) => {
    const before = prev[node] as number;
    const after = next[node] as number;
    next[before] = after;
    if (after !== -1) prev[after] = before;
  };
  const relink = (node: number) => {
    const after = next[node] as number;
    next[prev[node] as number] = node;
    if (after !== -1) prev[after] = node;
  };

  const linearized = new Uint8Array(n);
  /**
   * The linearized set, written compactly. Let m be the earliest-invoked ok operation not yet linearized. Every ok
   * operation invoked before m is linearized; an operation invoked after m's return cannot be, since it would have to
   * follow m. So the set is told by m, the open operations before m left out, and which of those invoked during m are
   * in: a key the size of the concurrency rather than of the history.
   */
  const linearizedSetKey = (): string => {
    const codes: number[] = [];
    let node = next[0] as number;
    for (; node !== -1 && isCall(node) && isOpen[opOf(node)]; node = next[node] as number) codes.push(opOf(node));
    const leftOut = codes.length;
    if (node !== -1 && isCall(node)) {
      const m = opOf(node);
      codes.push(m);
      const mReturns = position[node + 1] as number;
      for (let i = m + 1; i < n && (position[2 * i + 1] as number) < mReturns; i++) if (linearized[i]) codes.push(i);
    }
    // counts first, and each number in two UTF-16 units, so that the key reads back one way only
    const units = [leftOut & 0xffff, leftOut >>> 16];
    for (const code of codes) units.push(code & 0xffff, code >>> 16);
    return String.fromCharCode(...units);
  };

  const okTotal = ops.filter((operation) => operation.outcome === 'ok').length;
  const seen = new Set<string>();
  // the choices made so far, newest first; cells are never changed, so the deepest point is kept by reference
  let top: Choice<S> | undefined;
  let depth = 0;
  const initial = model.init();
  let current: StateSet<S> = { states: [initial], key: model.key(initial) };
  let okDone = 0;
  let deepest: { depth: number; choices: Choice<S> | undefined; after: StateSet<S>; candidates: number[] } | undefined;
  const inOrder = (indices: number[]) => indices.map((i) => ops[i] as Operation<I, O>);
  const orderOf = (choices: Choice<S> | undefined) => {
    const order: number[] = [];
    for (let cell = choices; cell; cell = cell.below) order.push(opOf(cell.node));
    return inOrder(order.reverse());
  };

  let node = next[0] as number;
  for (let iteration = 1; ; iteration++) {
    if ((iteration & 255) === 0 && pastDeadline()) {
      return { ...facts, verdict: 'unchecked', bound: { kind: 'time', limit: bounds.timeBudgetMs } };
    }
    if (okDone === okTotal) {
      return { ...facts, verdict: 'linearizable', linearization: orderOf(top) };
    }
    if (node !== -1 && isCall(node)) {
      const i = opOf(node);
      const operation = ops[i] as Operation<I, O>;
      const after = stepAll(model, current, operation);
      if (after) {
        linearized[i] = 1;
        unlink(node);
        unlink(node + 1);
        // a length prefix keeps the set's part of the key apart from the state's
        const setKey = linearizedSetKey();
        const configuration = `${setKey.length}:${setKey}${after.key}`;
        if (!seen.has(configuration)) {
          seen.add(configuration);
          facts.exploredStates = seen.size;
          if (seen.size > bounds.maxStates) {
            return { ...facts, verdict: 'unchecked', bound: { kind: 'states', limit: bounds.maxStates } };
          }
          top = { node, before: current, below: top };
          depth++;
          current = after;
          if (operation.outcome === 'ok') okDone++;
          node = next[0] as number;
          continue;
        }
        relink(node + 1);
        relink(node);
        linearized[i] = 0;
      }
      node = next[node] as number;
      continue;
    }
    // The first dead end at a new depth is the deepest point so far, and from there no operation was accepted: had
    // one been, the search would have gone deeper, or found its configuration already seen, hence reached deeper
    // before.
    if (!deepest || depth > deepest.depth) {
      deepest = { depth, choices: top, after: current, candidates: candidatesAfter(next, isCall, opOf) };
    }
    if (!top) {
      return {
        ...facts,
        verdict: 'not-linearizable',
        longestPrefix: orderOf(deepest.choices),
        unorderable: inOrder(deepest.candidates),
        statesAfterPrefix: deepest.after.states.map((state) => model.describeState?.(state) ?? model.key(state)),
      };
    }
    const undone = top;
    top = undone.below;
    depth--;
    current = undone.before;
    relink(undone.node + 1);
    relink(undone.node);
    linearized[opOf(undone.node)] = 0;
    if ((ops[opOf(undone.node)] as Operation<I, O>).outcome === 'ok') okDone--;
    node = next[undone.node] as number;
  }
}

/** The operations whose calls precede the first return still in the list: those that may take effect next. */
function candidatesAfter(
  next: Int32Array,
  isCall: (node: number) => boolean,
  opOf: (node: number) => number,
): number[] {
  const candidates: number[] = [];
  for (let node = next[0] as number; node !== -1 && isCall(node); node = next[node] as number) {
    candidates.push(opOf(node));
  }
  return candidates;
}
