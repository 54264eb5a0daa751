import type { Operation } from './history.ts';

/** A sub-history over keys no operation outside it touches. */
export interface Partition<I, O> {
  /** The keys of the partition, sorted and joined with '+'. */
  key: string;
  operations: Operation<I, O>[];
}

/**
 * Splits a history into independent sub-histories (P-compositionality): a history is linearizable when each
 * sub-history over disjoint objects is. An operation touching several keys (a login that merges a guest cart into a
 * user's) joins their partitions, since its effect links the objects. Only sound when the model's state is the product
 * of independent per-key states.
 */
export function partition<I, O>(
  operations: readonly Operation<I, O>[],
  keyOf: (input: I) => string | readonly string[],
): Partition<I, O>[] {
  const parent = new Map<string, string>();
  const root = (key: string): string => {
    let top = key;
    for (let up = parent.get(top); up !== undefined && up !== top; up = parent.get(top)) top = up;
    // path compression keeps later look-ups flat
    for (let node = key; node !== top;) {
      const up = parent.get(node) as string;
      parent.set(node, top);
      node = up;
    }
    return top;
  };
  const keysOf = operations.map((operation) => {
    const keys = keyOf(operation.input);
    const list = typeof keys === 'string' ? [keys] : [...keys];
    if (list.length === 0) throw new Error(`operation ${operation.id} has no partition key`);
    return list;
  });
  for (const keys of keysOf) {
    for (const key of keys) if (!parent.has(key)) parent.set(key, key);
    const first = root(keys[0] as string);
    for (const key of keys.slice(1)) parent.set(root(key), first);
  }
  const keysByRoot = new Map<string, string[]>();
  for (const key of parent.keys()) {
    const top = root(key);
    const keys = keysByRoot.get(top);
    if (keys) keys.push(key);
    else keysByRoot.set(top, [key]);
  }
  const operationsByRoot = new Map<string, Operation<I, O>[]>();
  operations.forEach((operation, index) => {
    const top = root((keysOf[index] as string[])[0] as string);
    const list = operationsByRoot.get(top);
    if (list) list.push(operation);
    else operationsByRoot.set(top, [operation]);
  });
  return [...operationsByRoot].map(([top, list]) => ({
    key: (keysByRoot.get(top) ?? []).sort().join('+'),
    operations: list,
  }));
}
