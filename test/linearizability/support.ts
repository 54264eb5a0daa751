import type { Operation } from '../../linearizability/history.ts';
import { AnyOf, type SequentialModel } from '../../linearizability/model.ts';

/** Builds operations by hand, ids in the order given, as the literature writes histories: [invoke, answer]. */
export function historyOf<I, O>(
  specs: (
    | { process: string; input: I; output: O; at: [number, number] }
    | { process: string; input: I; failed: O | undefined; at: [number, number] }
    | { process: string; input: I; open: number }
  )[],
): Operation<I, O>[] {
  return specs.map((spec, id): Operation<I, O> => {
    const base = { id, process: spec.process, input: spec.input };
    if ('open' in spec) {
      return { ...base, invokedAt: spec.open, outcome: 'info', output: undefined, completedAt: undefined };
    }
    const [invokedAt, completedAt] = spec.at;
    return 'failed' in spec
      ? { ...base, invokedAt, completedAt, outcome: 'fail', output: spec.failed }
      : { ...base, invokedAt, completedAt, outcome: 'ok', output: spec.output };
  });
}

/**
 * The oracle the checker is held to: every order of every subset that keeps all ok operations, tried one by one.
 * Exponential, so only for tiny histories; it shares nothing with the checker but the model, and follows each of a
 * nondeterministic step's states on its own rather than as a set.
 */
export function bruteForceLinearizable<S, I, O>(
  model: SequentialModel<S, I, O>,
  operations: readonly Operation<I, O>[],
): boolean {
  const candidates = operations.filter((operation) => operation.outcome !== 'fail');
  // a must come before b when a was answered before b was invoked; an open operation was never answered
  const precedes = (a: Operation<I, O>, b: Operation<I, O>) => a.outcome === 'ok' && a.completedAt < b.invokedAt;
  const search = (state: S, remaining: Operation<I, O>[]): boolean => {
    if (remaining.every((operation) => operation.outcome === 'info')) return true;
    return remaining.some((operation) => {
      if (remaining.some((other) => other !== operation && precedes(other, operation))) return false;
      const result = model.step(state, operation.input, operation.outcome === 'ok' ? operation.output : undefined);
      const successors = result instanceof AnyOf ? result.states : result === null ? [] : [result];
      const rest = remaining.filter((other) => other !== operation);
      return successors.some((successor) => search(successor, rest));
    });
  };
  return search(model.init(), candidates);
}
