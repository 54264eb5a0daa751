import { describe, expect, it } from 'vitest';
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
