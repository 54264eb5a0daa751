import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SlotIndex } from '../../server/stores/slot-index.ts';

describe('SlotIndex', () => {
  it('finds keys, removes by slot without the key, and keeps every other key through the shifts', () => {
    const keys: string[] = [];
    const index = new SlotIndex(keys);
    const count = 5000;
    for (let slot = 0; slot < count; slot++) {
      keys[slot] = `key-${slot}`;
      index.add(`key-${slot}`, slot);
    }
    expect(index.size).toBe(count);
    for (let slot = 0; slot < count; slot++) expect(index.get(`key-${slot}`)).toBe(slot);
    expect(index.get('key-missing')).toBeUndefined();
    // Remove every third slot (heads, middles and tails of clusters alike) and blank its key, as the table does.
    for (let slot = 0; slot < count; slot += 3) {
      index.delete(slot);
      keys[slot] = '';
    }
    index.delete(0); // twice is a no-op
    index.delete(count + 10); // never indexed: a no-op
    expect(index.size).toBe(count - Math.ceil(count / 3));
    for (let slot = 0; slot < count; slot++) expect(index.get(`key-${slot}`)).toBe(slot % 3 === 0 ? undefined : slot);
    // A freed slot takes a new key.
    keys[3] = 'reused';
    index.add('reused', 3);
    expect(index.get('reused')).toBe(3);
    expect(index.get('key-3')).toBeUndefined();
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get('reused')).toBeUndefined();
  });

  it('tells apart keys whose hashes collide in the table', () => {
    const keys = ['a', 'b', 'c'];
    const index = new SlotIndex(keys);
    keys.forEach((key, slot) => index.add(key, slot));
    index.delete(1);
    keys[1] = '';
    expect([index.get('a'), index.get('b'), index.get('c'), index.get('')]).toEqual([0, undefined, 2, undefined]);
  });
});

/**
 * The session table's way of using an index: a key goes in at a free slot (the last one freed first, so a slot is
 * often reused while its old cell still waits for the purge), a removed slot's key is blanked, and a secret or an id is
 * looked up by its string. Checked against a Map after every step that changes something, across growth, purges and
 * reuse.
 */
type Step = { kind: 'add'; key: number } | { kind: 'delete'; key: number } | { kind: 'deleteSlot'; slot: number };

function replay(steps: readonly Step[], poolSize: number): void {
  const keys: string[] = [];
  const index = new SlotIndex(keys);
  const model = new Map<string, number>();
  const free: number[] = [];
  const name = (key: number) => `k${key}-${(key * 2654435761) % 1000003}`;
  const check = (key: string) => expect(index.get(key)).toBe(model.get(key));
  steps.forEach((step, position) => {
    if (step.kind === 'add') {
      const key = name(step.key);
      if (index.get(key) !== undefined) return;
      const slot = free.pop() ?? keys.length;
      keys[slot] = key;
      index.add(key, slot);
      model.set(key, slot);
      check(key);
    } else {
      const slot = step.kind === 'delete' ? model.get(name(step.key)) : step.slot;
      if (slot === undefined) return;
      const key = keys[slot];
      index.delete(slot);
      if (key === undefined || !model.has(key)) return;
      model.delete(key);
      keys[slot] = '';
      free.push(slot);
      check(key);
    }
    expect(index.size).toBe(model.size);
    if (position % 200 === 0) for (let key = 0; key < poolSize; key++) check(name(key));
  });
  for (let key = 0; key < poolSize; key++) check(name(key));
}

describe('SlotIndex against a Map', () => {
  it('agrees on every key through adds, removals, slot reuse, purges and growth', () => {
    const poolSize = 1500;
    const key = fc.integer({ min: 0, max: poolSize - 1 });
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 5, arbitrary: key.map((key) => ({ kind: 'add', key }) as const) },
      { weight: 4, arbitrary: key.map((key) => ({ kind: 'delete', key }) as const) },
      { weight: 1, arbitrary: fc.nat(2000).map((slot) => ({ kind: 'deleteSlot', slot }) as const) },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 500, maxLength: 4000 }), (steps) => replay(steps, poolSize)),
      { numRuns: 60 },
    );
  });

  it('keeps a reused slot found while its old cell waits for the purge, and after the purge clears it', () => {
    // Fill, then churn at a steady size: every slot is freed and taken by a new key many times over, so removed cells
    // pointing at reused slots are rebuilt around again and again.
    const steps: Step[] = [];
    for (let key = 0; key < 400; key++) steps.push({ kind: 'add', key });
    for (let round = 0; round < 6; round++) {
      for (let key = 0; key < 400; key++) {
        steps.push({ kind: 'delete', key: round * 400 + key });
        steps.push({ kind: 'add', key: (round + 1) * 400 + key });
      }
    }
    replay(steps, 2800);
  });

  it('purges removed cells as it goes, so they never take more than an eighth of the table and a chunk', () => {
    // 400 live keys keep the table at its first 1,024 cells; churning them 6 times over removes 2,400 keys.
    const keys: string[] = [];
    const index = new SlotIndex(keys);
    const free: number[] = [];
    let mostRemoved = 0;
    for (let key = 0; key < 2800; key++) {
      if (key >= 400) {
        const slot = key % 400;
        index.delete(slot);
        free.push(slot);
      }
      const slot = free.pop() ?? key;
      keys[slot] = `key-${key}`;
      index.add(keys[slot], slot);
      mostRemoved = Math.max(mostRemoved, index.removedCells);
    }
    expect(index.size).toBe(400);
    expect(mostRemoved).toBeGreaterThan(0);
    expect(mostRemoved).toBeLessThanOrEqual(1024 / 8 + 1024 / 8);
  });
});
