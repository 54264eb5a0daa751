import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atomicCart,
  atomicRegister,
  cartModel,
  registerModel,
  type CartInput,
  type CartLines,
  type CartOutput,
  type RegisterInput,
  type RegisterOutput,
} from '../../linearizability/bench/models.ts';
import { runPlan, type Fate, type Plan, type PlannedOperation } from '../../linearizability/bench/simulation.ts';
import { check } from '../../linearizability/checker.ts';
import type { Operation } from '../../linearizability/history.ts';
import { anyOf, type SequentialModel } from '../../linearizability/model.ts';
import { bruteForceLinearizable, historyOf } from './support.ts';

const fate: fc.Arbitrary<Fate> = fc.oneof(
  { arbitrary: fc.constant<Fate>('ok'), weight: 8 },
  { arbitrary: fc.constantFrom<Fate>('fail', 'info-applied', 'info-lost'), weight: 2 },
);

/** Up to seven operations over up to three processes, and an interleaving of their steps. */
function plans<I>(input: fc.Arbitrary<I>): fc.Arbitrary<Plan<I>> {
  const planned: fc.Arbitrary<PlannedOperation<I>> = fc.record({ input, fate });
  return fc
    .record({
      programs: fc.array(fc.array(planned, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      schedule: fc.array(fc.nat(5), { maxLength: 30 }),
    })
    .filter((plan) => plan.programs.flat().length <= 7);
}

const registerInput: fc.Arbitrary<RegisterInput> = fc.oneof(
  fc.constant<RegisterInput>({ kind: 'read' }),
  fc.integer({ min: 1, max: 3 }).map((value): RegisterInput => ({ kind: 'write', value })),
);

const cartInput: fc.Arbitrary<CartInput> = fc.oneof(
  fc.constant<CartInput>({ kind: 'read' }),
  fc.record({
    kind: fc.constant('add' as const),
    sku: fc.constantFrom('a', 'b'),
    quantity: fc.integer({ min: 1, max: 2 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    sku: fc.constantFrom('a', 'b'),
    quantity: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant('remove' as const), sku: fc.constantFrom('a', 'b') }),
);

const verdictOf = (linearizable: boolean) => (linearizable ? 'linearizable' : 'not-linearizable');

/** Replaces the output of one answered read: the kind of wrong answer a broken server gives. */
function corruptRead<I extends { kind: string }, O>(
  history: Operation<I, O>[],
  pick: number,
  wrong: (output: O) => O,
): Operation<I, O>[] | undefined {
  const reads = history.filter((operation) => operation.outcome === 'ok' && operation.input.kind === 'read');
  const target = reads[pick % Math.max(reads.length, 1)];
  if (target?.outcome !== 'ok') return undefined;
  return history.map((operation) => (operation === target ? { ...target, output: wrong(target.output) } : operation));
}

describe('histories executed against an atomic object', () => {
  it('are linearizable: the register', () => {
    fc.assert(
      fc.property(plans(registerInput), (plan) => {
        const history = runPlan(plan, atomicRegister());
        expect(check(registerModel, history).verdict).toBe('linearizable');
        expect(bruteForceLinearizable(registerModel, history)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('are linearizable: the cart', () => {
    fc.assert(
      fc.property(plans(cartInput), (plan) => {
        const history = runPlan(plan, atomicCart());
        expect(check(cartModel, history).verdict).toBe('linearizable');
      }),
      { numRuns: 300 },
    );
  });

  it('with one read corrupted, the checker says what the brute-force enumeration says', () => {
    const seen = { linearizable: 0, 'not-linearizable': 0 };
    fc.assert(
      fc.property(plans(registerInput), fc.nat(), fc.integer({ min: 0, max: 3 }), (plan, pick, wrongValue) => {
        const history = corruptRead(runPlan(plan, atomicRegister()), pick, () => wrongValue);
        fc.pre(history !== undefined);
        const expected = verdictOf(bruteForceLinearizable(registerModel, history));
        seen[expected]++;
        expect(check(registerModel, history).verdict).toBe(expected);
      }),
      { numRuns: 400 },
    );
    // both answers must have come up, or the property proved nothing about one of them
    expect(seen.linearizable).toBeGreaterThan(10);
    expect(seen['not-linearizable']).toBeGreaterThan(10);
  });

  it('with one cart read corrupted, likewise', () => {
    const seen = { linearizable: 0, 'not-linearizable': 0 };
    fc.assert(
      fc.property(plans(cartInput), fc.nat(), fc.integer({ min: -1, max: 1 }), (plan, pick, shift) => {
        const wrong = (lines: CartOutput): CartLines => {
          const quantity = Math.max(0, (lines?.find((line) => line.sku === 'a')?.quantity ?? 0) + shift + 1);
          const others = (lines ?? []).filter((line) => line.sku !== 'a');
          return quantity === 0 ? others : [{ sku: 'a', quantity }, ...others];
        };
        const history = corruptRead(runPlan(plan, atomicCart()), pick, wrong);
        fc.pre(history !== undefined);
        const expected = verdictOf(bruteForceLinearizable(cartModel, history));
        seen[expected]++;
        expect(check(cartModel, history).verdict).toBe(expected);
      }),
      { numRuns: 300 },
    );
    expect(seen.linearizable).toBeGreaterThan(5);
    expect(seen['not-linearizable']).toBeGreaterThan(5);
  });
});

describe('arbitrary histories, linearizable or not', () => {
  // any intervals (ties included), any outcomes, any outputs: the checker must agree with the enumeration
  const history = fc
    .array(
      fc.record({
        process: fc.constantFrom('p0', 'p1', 'p2'),
        input: registerInput,
        start: fc.integer({ min: 0, max: 20 }),
        length: fc.integer({ min: 0, max: 10 }),
        outcome: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'info'),
        value: fc.integer({ min: 0, max: 3 }),
      }),
      { maxLength: 7 },
    )
    .map((specs) =>
      historyOf<RegisterInput, RegisterOutput>(
        specs.map(({ process, input, start, length, outcome, value }) => {
          const at: [number, number] = [start, start + length];
          const output = input.kind === 'read' ? value : null;
          if (outcome === 'info') return { process, input, open: start };
          if (outcome === 'fail') return { process, input, failed: undefined, at };
          return { process, input, output, at };
        }),
      ),
    );
  // a register whose value may be lost (reset to 0) before any operation: a nondeterministic step
  const lossy: SequentialModel<number, RegisterInput, RegisterOutput> = {
    ...registerModel,
    step: (state, input, output) =>
      anyOf(
        ...[registerModel.step(state, input, output), registerModel.step(0, input, output)].filter(
          (next): next is number => typeof next === 'number',
        ),
      ),
  };

  it.each([
    ['the register', registerModel],
    ['a register that may lose its value', lossy],
  ])('%s', (_, model) => {
    const seen = { linearizable: 0, 'not-linearizable': 0 };
    fc.assert(
      fc.property(history, (operations) => {
        const expected = verdictOf(bruteForceLinearizable(model, operations));
        seen[expected]++;
        expect(check(model, operations).verdict).toBe(expected);
      }),
      { numRuns: 500 },
    );
    expect(seen.linearizable).toBeGreaterThan(10);
    expect(seen['not-linearizable']).toBeGreaterThan(10);
  });
});
