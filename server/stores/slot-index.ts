/** Where SlotIndex.warm leaves what it read. */
export const warmed = { value: 0 };

/** A cell's slot field when the cell is empty (slots are stored plus one). */
const empty = 0;

/**
 * A string key to a slot (a small non-negative integer naming a record kept in columns elsewhere), for the session
 * table's secrets and ids. Open addressing with linear probing in one Int32Array of (slot + 1, hash) pairs, at most
 * half full; each slot remembers its cell, and a removal shifts the cluster behind it back (no tombstones). So
 * removing a slot, what the sweep does a million times, reads no string and hashes nothing: it touches the slot's cell
 * and the few cells after it. A V8 Map of strings would hash the key again (reading the string) and leave a hole its
 * next rehash pays for.
 *
 * The keys live in the caller's column (`keys[slot]`), read only to confirm a lookup whose hash matched.
 */
export class SlotIndex {
  readonly #keys: readonly string[];
  /** (slot + 1, hash) pairs; slot field 0 marks an empty cell. */
  #cells = new Int32Array(0);
  /** The cell holding each slot, -1 for a slot not indexed. */
  #cellOf = new Int32Array(0);
  #mask = -1;
  #size = 0;

  constructor(keys: readonly string[]) {
    this.#keys = keys;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): number | undefined {
    if (this.#size === 0) return undefined;
    const cells = this.#cells;
    const mask = this.#mask;
    const hash = hashString(key);
    for (let cell = hash & mask; ; cell = (cell + 1) & mask) {
      const stored = cells[2 * cell]!;
      if (stored === empty) return undefined;
      if (cells[2 * cell + 1] === hash && this.#keys[stored - 1] === key) return stored - 1;
    }
  }

  /** Indexes `slot` under `key`, which must not be indexed already (`get` first), nor `slot` under another key. */
  add(key: string, slot: number): void {
    if (slot >= this.#cellOf.length) this.#growSlots(slot + 1);
    if (2 * (this.#size + 1) > this.#mask + 1) this.#rehash(Math.max(1024, 2 * (this.#mask + 1)));
    this.#place(slot, hashString(key));
    this.#size++;
  }

  /**
   * Reads the cells of `slots`, each load independent of the others, so the CPU overlaps their cache misses; the
   * deletes that follow then find their cells cached instead of waiting for each miss in turn. What it read goes to
   * `warmed`, so the compiler cannot drop the reads as unused.
   */
  warm(slots: readonly number[]): void {
    const cells = this.#cells;
    const cellOf = this.#cellOf;
    let sum = 0;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot < cellOf.length) sum += cells[2 * Math.max(0, cellOf[slot]!)]!;
    }
    warmed.value = sum;
  }

  /** Unindexes `slot` without reading its key; a slot not indexed is left alone. */
  delete(slot: number): void {
    if (slot >= this.#cellOf.length) return;
    let hole = this.#cellOf[slot]!;
    if (hole < 0) return;
    this.#cellOf[slot] = -1;
    this.#size--;
    const cells = this.#cells;
    const mask = this.#mask;
    // Backward shift: each later entry of the cluster that may sit in the hole (its home is not between the hole
    // and it) moves there, and its old cell becomes the hole.
    for (let cell = (hole + 1) & mask; ; cell = (cell + 1) & mask) {
      const stored = cells[2 * cell]!;
      if (stored === empty) break;
      const hash = cells[2 * cell + 1]!;
      if (((cell - (hash & mask)) & mask) >= ((cell - hole) & mask)) {
        cells[2 * hole] = stored;
        cells[2 * hole + 1] = hash;
        this.#cellOf[stored - 1] = hole;
        hole = cell;
      }
    }
    cells[2 * hole] = empty;
    cells[2 * hole + 1] = 0;
  }

  clear(): void {
    this.#cells = new Int32Array(0);
    this.#cellOf = new Int32Array(0);
    this.#mask = -1;
    this.#size = 0;
  }

  #place(slot: number, hash: number): void {
    const cells = this.#cells;
    const mask = this.#mask;
    let cell = hash & mask;
    while (cells[2 * cell] !== empty) cell = (cell + 1) & mask;
    cells[2 * cell] = slot + 1;
    cells[2 * cell + 1] = hash;
    this.#cellOf[slot] = cell;
  }

  #rehash(capacity: number): void {
    const old = this.#cells;
    this.#cells = new Int32Array(2 * capacity);
    this.#mask = capacity - 1;
    for (let cell = 0; cell < old.length; cell += 2) {
      if (old[cell] !== empty) this.#place(old[cell]! - 1, old[cell + 1]!);
    }
  }

  #growSlots(minimum: number): void {
    const cellOf = new Int32Array(Math.max(minimum, 2 * this.#cellOf.length, 1024)).fill(-1);
    cellOf.set(this.#cellOf);
    this.#cellOf = cellOf;
  }
}

/** 32-bit FNV-1a over the UTF-16 code units, with a final avalanche so the low bits (the home cell) mix well. */
export function hashString(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash | 0;
}
