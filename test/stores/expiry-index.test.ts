import { describe, expect, it } from 'vitest';
import { ExpiryIndex } from '../../server/stores/expiry-index.ts';

/** Every slot the index holds: all of them are due by the end of time. */
const indexed = (index: ExpiryIndex) => index.countDue(Number.MAX_SAFE_INTEGER);

describe('ExpiryIndex', () => {
  it('takes due slots earliest bucket first, up to the limit, and counts them exactly', () => {
    const index = new ExpiryIndex(1000);
    index.set(1, 5500);
    index.set(2, 1200);
    index.set(3, 5999);
    index.set(4, 9000);
    index.set(5, 1000);
    expect(indexed(index)).toBe(5);
    expect(index.countDue(5600)).toBe(3);
    expect(index.takeDue(999, 10)).toEqual([]);
    expect(index.takeDue(5600, 2).sort()).toEqual([2, 5]);
    expect(indexed(index)).toBe(3);
    expect(index.countDue(5600)).toBe(1);
    // A bucket only partly due keeps what is not due yet.
    expect(index.takeDue(5600, 10)).toEqual([1]);
    expect(index.takeDue(5600, 10)).toEqual([]);
    expect(index.countDue(6000)).toBe(1);
    expect(index.takeDue(9000, 10).sort()).toEqual([3, 4]);
    expect(indexed(index)).toBe(0);
  });

  it('moves a slot between buckets and unlinks heads, middles and tails alike', () => {
    const index = new ExpiryIndex(1000);
    for (const slot of [0, 1, 2, 3]) index.set(slot, 1000 + slot);
    index.set(3, 7000); // the head of bucket 1 (the last one linked) moves away
    index.set(1, 1500); // same bucket: only its time changes
    index.delete(0); // the tail
    index.delete(0); // twice is a no-op
    expect(indexed(index)).toBe(3);
    expect(index.countDue(1400)).toBe(1);
    index.delete(2); // a middle one
    expect(index.takeDue(2000, 10)).toEqual([1]);
    index.delete(1); // taken already: a no-op
    expect(indexed(index)).toBe(1);
    expect(index.takeDue(2000, 10)).toEqual([]);
    expect(index.takeDue(7000, 10)).toEqual([3]);
  });

  it('takes a touched slot at its new time, not its old one', () => {
    const index = new ExpiryIndex(1000);
    index.set(7, 1500);
    index.set(7, 4500); // touched: its deadline moved to a later bucket
    expect(index.takeDue(2000, 10)).toEqual([]);
    index.set(7, 1800); // an earlier deadline (a shorter timeout) moves it back
    expect(index.takeDue(2000, 10)).toEqual([7]);
  });

  it('reuses a deleted slot, grows past its first capacity, and clears', () => {
    const index = new ExpiryIndex(1000);
    for (let slot = 0; slot < 5000; slot++) index.set(slot, slot % 2 === 0 ? 1000 : 9000);
    for (let slot = 0; slot < 5000; slot += 2) index.delete(slot);
    index.set(0, 3000);
    expect(indexed(index)).toBe(2501);
    expect(index.countDue(3000)).toBe(1);
    expect(index.takeDue(3000, 10)).toEqual([0]);
    expect(index.countDue(9000)).toBe(2500);
    index.set(0, 3000); // a taken slot indexes again
    expect(indexed(index)).toBe(2501);
    index.clear();
    expect(indexed(index)).toBe(0);
    expect(index.takeDue(9000, 10)).toEqual([]);
  });
});
