/**
 * What a process learnt about one operation: `ok` it took effect with this output, `fail` it surely did not take
 * effect, `info` the answer never came (timeout, reset), so it may or may not have taken effect.
 */
export type Outcome = 'ok' | 'fail' | 'info';

export type EventType = 'invoke' | Outcome;

/** One line of the history log, in the order the recorder saw it. `time` is a monotonic clock in milliseconds. */
export interface HistoryEvent<I, O> {
  type: EventType;
  /** The operation this event belongs to: its position in invoke order. */
  op: number;
  process: string;
  time: number;
  /** The input on invoke, the output on ok and fail, undefined on info. */
  value: I | O | undefined;
}

interface OperationBase<I> {
  id: number;
  process: string;
  input: I;
  invokedAt: number;
}

/** An operation with its invoke and its answer paired up, as the checker and the timeline read it. */
export type Operation<I, O> =
  | (OperationBase<I> & { outcome: 'ok'; output: O; completedAt: number })
  | (OperationBase<I> & { outcome: 'fail'; output: O | undefined; completedAt: number })
  /** `completedAt` is when the recorder gave up waiting, if it said so; it does not bound when the effect landed. */
  | (OperationBase<I> & { outcome: 'info'; output: undefined; completedAt: number | undefined });

/** The handle `invoke` returns: answer it exactly once. An operation never answered counts as `info`. */
export interface PendingOperation<O> {
  readonly id: number;
  ok(output: O): void;
  fail(output?: O): void;
  info(): void;
}

export type Clock = () => number;

/**
 * A concurrent history recorded from async code: each process (lane, virtual user) invokes operations and answers
 * them as their results arrive. Timestamps come from one monotonic clock so that intervals of different processes
 * compare.
 */
export class OperationHistory<I, O> {
  readonly events: HistoryEvent<I, O>[] = [];
  readonly #clock: Clock;
  readonly #open = new Map<number, string>();
  #next = 0;

  constructor(clock: Clock = () => performance.now()) {
    this.#clock = clock;
  }

  invoke(process: string, input: I): PendingOperation<O> {
    const op = this.#next++;
    this.#open.set(op, process);
    this.events.push({ type: 'invoke', op, process, time: this.#clock(), value: input });
    const answer = (type: Outcome, value: O | undefined) => {
      // a second answer would make the history say two things about one operation; that is a recorder bug
      if (!this.#open.delete(op)) throw new Error(`operation ${op} of ${process} was already answered`);
      this.events.push({ type, op, process, time: this.#clock(), value });
    };
    return {
      id: op,
      ok: (output) => answer('ok', output),
      fail: (output) => answer('fail', output),
      info: () => answer('info', undefined),
    };
  }

  /** The operations in invoke order; one still open now is `info` with no completion time. */
  operations(): Operation<I, O>[] {
    return operationsOf(this.events);
  }
}

/** Pairs each invoke with its answer. */
export function operationsOf<I, O>(events: readonly HistoryEvent<I, O>[]): Operation<I, O>[] {
  const operations = new Map<number, Operation<I, O>>();
  for (const event of events) {
    if (event.type === 'invoke') {
      operations.set(event.op, {
        id: event.op,
        process: event.process,
        input: event.value as I,
        invokedAt: event.time,
        outcome: 'info',
        output: undefined,
        completedAt: undefined,
      });
      continue;
    }
    const invoked = operations.get(event.op);
    if (!invoked) throw new Error(`operation ${event.op} is answered before it is invoked`);
    const { id, process, input, invokedAt } = invoked;
    const base = { id, process, input, invokedAt, completedAt: event.time };
    operations.set(
      event.op,
      event.type === 'info'
        ? { ...base, outcome: 'info', output: undefined }
        : event.type === 'ok'
          ? { ...base, outcome: 'ok', output: event.value as O }
          : { ...base, outcome: 'fail', output: event.value as O | undefined },
    );
  }
  // a Map keeps first-insertion order, which is invoke order
  return [...operations.values()];
}
