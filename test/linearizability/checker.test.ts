import { describe, expect, it } from 'vitest';
import {
  cartModel,
  registerModel,
  type CartInput,
  type CartLines,
  type CartOutput,
  type RegisterInput,
  type RegisterOutput,
} from '../../linearizability/bench/models.ts';
import { check } from '../../linearizability/checker.ts';
import { anyOf, type SequentialModel } from '../../linearizability/model.ts';
import { historyOf } from './support.ts';

const write = (value: number): RegisterInput => ({ kind: 'write', value });
const read: RegisterInput = { kind: 'read' };

describe('a read/write register (the histories of Porcupine’s register tests)', () => {
  it('a read may see a write that is still in flight, and another read may not', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(100), output: null, at: [0, 100] },
      { process: 'c1', input: read, output: 100, at: [25, 75] },
      { process: 'c2', input: read, output: 0, at: [30, 60] },
    ]);
    const result = check(registerModel, history);
    expect(result.verdict).toBe('linearizable');
    expect(result.decidedBy).toBeUndefined();
    const [only] = result.partitions;
    if (only?.verdict !== 'linearizable') throw new Error('expected a linearization');
    expect(only.linearization.map((operation) => operation.id)).toEqual([2, 0, 1]);
  });

  it('once a read has seen the write, a later read cannot see the old value', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(200), output: null, at: [0, 100] },
      { process: 'c1', input: read, output: 200, at: [10, 30] },
      { process: 'c2', input: read, output: 0, at: [40, 90] },
    ]);
    const result = check(registerModel, history);
    expect(result.verdict).toBe('not-linearizable');
    const failed = result.decidedBy;
    if (failed?.verdict !== 'not-linearizable') throw new Error('expected a failed partition');
    expect(failed.longestPrefix.map((operation) => operation.id)).toEqual([0, 1]);
    expect(failed.unorderable.map((operation) => operation.id)).toEqual([2]);
    expect(failed.statesAfterPrefix).toEqual(['200']);
  });

  it('a read after a completed write must see it', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(1), output: null, at: [0, 10] },
      { process: 'c1', input: read, output: 0, at: [20, 30] },
    ]);
    const result = check(registerModel, history);
    expect(result.verdict).toBe('not-linearizable');
    if (result.decidedBy?.verdict !== 'not-linearizable') throw new Error('expected a failed partition');
    expect(result.decidedBy.unorderable.map((operation) => operation.id)).toEqual([1]);
  });

  it('operations that only touch in time are concurrent', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(1), output: null, at: [0, 10] },
      { process: 'c1', input: read, output: 0, at: [10, 20] },
    ]);
    expect(check(registerModel, history).verdict).toBe('linearizable');
  });

  it('an empty history is linearizable', () => {
    expect(check(registerModel, []).verdict).toBe('linearizable');
  });
});

describe('answers that never came (info) and refusals (fail)', () => {
  it('an open write may have taken effect, even long after it was sent', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(7), open: 0 },
      { process: 'c1', input: read, output: 0, at: [50, 60] },
      { process: 'c1', input: read, output: 7, at: [70, 80] },
    ]);
    const result = check(registerModel, history);
    expect(result.verdict).toBe('linearizable');
    if (result.decidedBy !== undefined || result.partitions[0]?.verdict !== 'linearizable') throw new Error();
    expect(result.partitions[0].linearization.map((operation) => operation.id)).toEqual([1, 0, 2]);
  });

  it('an open write may never have taken effect', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(7), open: 0 },
      { process: 'c1', input: read, output: 0, at: [50, 60] },
    ]);
    const result = check(registerModel, history);
    expect(result.verdict).toBe('linearizable');
    if (result.partitions[0]?.verdict !== 'linearizable') throw new Error();
    expect(result.partitions[0].linearization.map((operation) => operation.id)).toEqual([1]);
  });

  it('an open write cannot take effect before it was sent', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c1', input: read, output: 7, at: [0, 10] },
      { process: 'c0', input: write(7), open: 20 },
    ]);
    expect(check(registerModel, history).verdict).toBe('not-linearizable');
  });

  it('an open write takes effect at most once: values cannot flip back', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(7), open: 0 },
      { process: 'c1', input: write(3), output: null, at: [5, 10] },
      { process: 'c1', input: read, output: 7, at: [20, 30] },
      { process: 'c1', input: read, output: 3, at: [40, 50] },
    ]);
    expect(check(registerModel, history).verdict).toBe('not-linearizable');
  });

  it('a failed write never took effect', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(7), failed: undefined, at: [0, 10] },
      { process: 'c1', input: read, output: 7, at: [20, 30] },
    ]);
    const result = check(registerModel, history);
    expect(result.verdict).toBe('not-linearizable');
    if (result.decidedBy?.verdict !== 'not-linearizable') throw new Error();
    // the failed write is still part of what the partition reports, only not of any order
    expect(result.decidedBy.operations).toHaveLength(2);
    expect(result.decidedBy.unorderable.map((operation) => operation.id)).toEqual([1]);
  });

  it('a failed write is dropped, so nothing has to explain it', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(7), failed: undefined, at: [0, 10] },
      { process: 'c1', input: read, output: 0, at: [20, 30] },
    ]);
    expect(check(registerModel, history).verdict).toBe('linearizable');
  });
});

describe('a cart', () => {
  const add = (sku: string, quantity: number): CartInput => ({ kind: 'add', sku, quantity });
  const readCart: CartInput = { kind: 'read' };
  const cart = (quantity: number): CartLines => (quantity === 0 ? [] : [{ sku: 'a', quantity }]);
  // three concurrent adds of 1, 2 and 4 to one line, answered without the cart: they commute, so a read in their
  // midst may see the sum of any of them, and a read after them all sees 7
  const concurrentAdds = (during: number, after: number) =>
    historyOf<CartInput, CartOutput>([
      { process: 'u0', input: add('a', 1), output: null, at: [0, 100] },
      { process: 'u1', input: add('a', 2), output: null, at: [0, 100] },
      { process: 'u2', input: add('a', 4), output: null, at: [0, 100] },
      { process: 'u3', input: readCart, output: cart(during), at: [10, 90] },
      { process: 'u3', input: readCart, output: cart(after), at: [110, 120] },
    ]);

  it.each([0, 1, 2, 3, 4, 5, 6, 7])('a read during the adds may see %i', (seen) => {
    expect(check(cartModel, concurrentAdds(seen, 7)).verdict).toBe('linearizable');
  });

  it.each([
    [8, 7],
    [3, 6],
    [7, 3],
  ])('reads of %i during and %i after fit no order', (during, after) => {
    expect(check(cartModel, concurrentAdds(during, after)).verdict).toBe('not-linearizable');
  });

  it('adds that answer the cart fix their order, and a read must fall between them', () => {
    const answered = (seen: number) =>
      historyOf<CartInput, CartOutput>([
        { process: 'u0', input: add('a', 1), output: cart(1), at: [0, 100] },
        { process: 'u1', input: add('a', 2), output: cart(3), at: [0, 100] },
        { process: 'u2', input: add('a', 4), output: cart(7), at: [0, 100] },
        { process: 'u3', input: readCart, output: cart(seen), at: [10, 90] },
      ]);
    expect(
      [0, 1, 2, 3, 4, 5, 6, 7].filter((seen) => check(cartModel, answered(seen)).verdict === 'linearizable'),
    ).toEqual([0, 1, 3, 7]);
  });

  it('a lost update (two adds both answered as the first) admits no order', () => {
    const history = historyOf<CartInput, CartOutput>([
      { process: 'u0', input: add('a', 1), output: cart(1), at: [0, 10] },
      { process: 'u1', input: add('a', 1), output: cart(1), at: [0, 10] },
      { process: 'u0', input: readCart, output: cart(1), at: [20, 30] },
    ]);
    const result = check(cartModel, history);
    expect(result.verdict).toBe('not-linearizable');
    if (result.decidedBy?.verdict !== 'not-linearizable') throw new Error();
    expect(result.decidedBy.longestPrefix.map((operation) => operation.id)).toEqual([0]);
    expect(result.decidedBy.unorderable.map((operation) => operation.id)).toEqual([1]);
    expect(result.decidedBy.statesAfterPrefix).toEqual(['{a=1}']);
  });
});

describe('a nondeterministic model', () => {
  // a session that may expire at any operation, losing its value: the model cannot tell when
  const expiring: SequentialModel<number, RegisterInput, RegisterOutput> = {
    ...registerModel,
    step: (state, input, output) => {
      const kept = registerModel.step(state, input, output);
      const expired = registerModel.step(0, input, output);
      const states = [kept, expired].filter((next): next is number => typeof next === 'number');
      return anyOf(...states);
    },
  };

  it('follows every state a step may lead to', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(5), output: null, at: [0, 10] },
      { process: 'c0', input: read, output: 0, at: [20, 30] },
      { process: 'c0', input: write(6), output: null, at: [40, 50] },
      { process: 'c0', input: read, output: 6, at: [60, 70] },
    ]);
    expect(check(registerModel, history).verdict).toBe('not-linearizable');
    expect(check(expiring, history).verdict).toBe('linearizable');
  });

  it('reports every state the longest order may leave', () => {
    const history = historyOf<RegisterInput, RegisterOutput>([
      { process: 'c0', input: write(5), output: null, at: [0, 10] },
      { process: 'c0', input: read, open: 20 },
      { process: 'c0', input: read, output: 6, at: [30, 40] },
    ]);
    const result = check(expiring, history);
    expect(result.verdict).toBe('not-linearizable');
    if (result.decidedBy?.verdict !== 'not-linearizable') throw new Error();
    expect(result.decidedBy.longestPrefix.map((operation) => operation.id)).toEqual([0, 1]);
    expect(result.decidedBy.statesAfterPrefix).toEqual(['0', '5']);
  });
});

describe('partitions by key (P-compositionality)', () => {
  type KeyedInput = RegisterInput & { key: string };
  // registers by key: the product of independent registers, so partitioning by key is sound
  const keyed: SequentialModel<Record<string, number>, KeyedInput, RegisterOutput> = {
    init: () => ({}),
    step: (state, input, output) => {
      const next = registerModel.step(state[input.key] ?? 0, input, output);
      return next === null ? null : { ...state, [input.key]: next as number };
    },
    key: (state) =>
      Object.keys(state)
        .sort()
        .map((key) => `${key}=${state[key]}`)
        .join(','),
  };
  const history = historyOf<KeyedInput, RegisterOutput>([
    { process: 'u0', input: { ...write(1), key: 'x' }, output: null, at: [0, 10] },
    { process: 'u1', input: { ...write(2), key: 'y' }, output: null, at: [0, 10] },
    { process: 'u0', input: { ...read, key: 'x' }, output: 1, at: [20, 30] },
    { process: 'u1', input: { ...read, key: 'y' }, output: 0, at: [20, 30] },
    { process: 'u2', input: { ...read, key: 'z' }, output: 0, at: [20, 30] },
    { process: 'u0', input: { ...read, key: 'x' }, output: 1, at: [40, 50] },
  ]);
  const byKey = (input: KeyedInput) => input.key;

  it('checks each key on its own, and the worst verdict names the partition', () => {
    const whole = check(keyed, history);
    const split = check(keyed, history, { keyOf: byKey });
    expect(whole.verdict).toBe('not-linearizable');
    expect(split.verdict).toBe('not-linearizable');
    expect(split.partitions.map((part) => [part.partition, part.verdict])).toEqual([
      ['x', 'linearizable'],
      ['y', 'not-linearizable'],
      ['z', 'linearizable'],
    ]);
    expect(split.decidedBy?.partition).toBe('y');
    expect(split.decidedBy?.operations.map((operation) => operation.id)).toEqual([1, 3]);
  });

  it('an operation over two keys joins their partitions', () => {
    const split = check(keyed, history, { keyOf: (input) => (input.key === 'z' ? ['z', 'x'] : input.key) });
    expect(split.partitions.map((part) => part.partition)).toEqual(['x+z', 'y']);
  });

  it('not-linearizable beats unchecked, which beats linearizable', () => {
    const bounded = check(keyed, history, { keyOf: byKey, maxOperations: 2 });
    expect(bounded.partitions.map((part) => part.verdict)).toEqual(['unchecked', 'not-linearizable', 'linearizable']);
    expect(bounded.verdict).toBe('not-linearizable');
    expect(bounded.decidedBy?.partition).toBe('y');
    const withoutY = history.filter((operation) => operation.input.key !== 'y');
    const unchecked = check(keyed, withoutY, { keyOf: byKey, maxOperations: 2 });
    expect(unchecked.verdict).toBe('unchecked');
    expect(unchecked.decidedBy?.partition).toBe('x');
  });
});

describe('bounds: a search cut short is unchecked, never passed', () => {
  // twelve overlapping operations, each read seeing its neighbour's write, and one read of a value never written:
  // the search has to try every order before it can say no
  const busy = historyOf<RegisterInput, RegisterOutput>([
    ...Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0
        ? { process: `c${i}`, input: write(i), output: null, at: [0, 100] as [number, number] }
        : { process: `c${i}`, input: read, output: i - 1, at: [0, 100] as [number, number] },
    ),
    { process: 'c12', input: read, output: 99, at: [0, 100] },
  ]);

  it('the verdict the bounds hide', () => {
    expect(check(registerModel, busy).verdict).toBe('not-linearizable');
  });

  it('too many operations in a partition', () => {
    const result = check(registerModel, busy, { maxOperations: 12 });
    expect(result.verdict).toBe('unchecked');
    expect(result.decidedBy).toMatchObject({ verdict: 'unchecked', bound: { kind: 'operations', limit: 12 } });
  });

  it('too many states', () => {
    const result = check(registerModel, busy, { maxStates: 100 });
    expect(result.decidedBy).toMatchObject({ verdict: 'unchecked', bound: { kind: 'states', limit: 100 } });
  });

  it('the time budget, on a clock that moves one millisecond per reading', () => {
    let now = 0;
    const result = check(registerModel, busy, { timeBudgetMs: 5, clock: () => now++ });
    expect(result.decidedBy).toMatchObject({ verdict: 'unchecked', bound: { kind: 'time', limit: 5 } });
  });
});
