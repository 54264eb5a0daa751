/** A cell's slot field when the cell is empty (slots are stored plus one). */
const empty = 0;

/**
 * Cells the purge walk advances for each removal. A removed cell is cleared when the walk next passes it, and a full
 * turn of the walk takes at most capacity / 8 removals, so removed cells hold at most an eighth of the table (and a
 * chunk): with live keys at most half, probes still meet an empty cell within a few cells.
 */
const purgeCellsPerRemoval = 8;

/** The purge runs once this many cells are owed, so its setup is paid over many removals. */
const purgeChunkCells = 1024;

/**
 * A string key to a slot (a small non-negative integer naming a record kept in columns elsewhere), for the session
 * table's secrets and ids. Open addressing with linear probing in one Int32Array of (slot + 1, hash) pairs, at most
 * half full of live keys. Each slot remembers its cell.
 *
 * Removal is lazy, because the sweep removes a million slots and each cell it would touch is a cache miss: removing
 * a slot sets its cell's bit in a bitmap (an eighth of a megabyte per million cells, so it stays in cache) and reads
 * neither the cell nor the key. A removed cell still counts as taken for probing; `add` reuses it. A purge walks the
 * table in cell order a little at a time, paid for by each removal, and rebuilds the run from each removed cell to the
 * next empty one: its reads go up the table in order, where eager removal took a random one per slot. On the sweep of
 * a million-session table under traffic this took a swept session from about 0.46 to 0.37 µs (docs/configuration.md).
 * A V8 Map of strings would hash the key again (reading the string) and leave a hole its next rehash pays for.
 *
 * The keys live in the caller's column (`keys[slot]`), read only to confirm a lookup whose hash matched. A removed
 * cell's slot may have been reused for another key since, so neither its key nor its slot's cell is read again.
 */
export class SlotIndex {
  readonly #keys: readonly string[];
  /** (slot + 1, hash) pairs; slot field 0 marks an empty cell. */
  #cells = new Int32Array(0);
  /** One bit per cell: set while the cell holds a removed slot, until the purge or an `add` clears it. */
  #removed = new Int32Array(0);
  /** The cell holding each slot, -1 for a slot not indexed. */
  #cellOf = new Int32Array(0);
  #mask = -1;
  #size = 0;
  #removedCells = 0;
  /** Where the purge walk stands, and the cells it owes. */
  #purgeCell = 0;
  #purgeOwed = 0;
  /** The live entries of the run being rebuilt: (slot + 1, hash, cell) triples. */
  #run = new Int32Array(3 * 64);

  constructor(keys: readonly string[]) {
    this.#keys = keys;
  }

  get size(): number {
    return this.#size;
  }

  /** Cells still holding a removed key: at most an eighth of the table and a chunk (purgeCellsPerRemoval). */
  get removedCells(): number {
    return this.#removedCells;
  }

  get(key: string): number | undefined {
    if (this.#size === 0) return undefined;
    const cells = this.#cells;
    const mask = this.#mask;
    const hash = hashString(key);
    for (let cell = hash & mask; ; cell = (cell + 1) & mask) {
      const stored = cells[2 * cell]!;
      if (stored === empty) return undefined;
      if (cells[2 * cell + 1] === hash && !this.#isRemoved(cell) && this.#keys[stored - 1] === key) return stored - 1;
    }
  }

  /** Indexes `slot` under `key`, which must not be indexed already (`get` first), nor `slot` under another key. */
  add(key: string, slot: number): void {
    if (slot >= this.#cellOf.length) this.#growSlots(slot + 1);
    const capacity = this.#mask + 1;
    if (2 * (this.#size + 1) > capacity) this.#rehash(Math.max(1024, 2 * capacity));
    else if (4 * (this.#size + this.#removedCells + 1) > 3 * capacity) this.#rehash(capacity);
    const cells = this.#cells;
    const mask = this.#mask;
    const hash = hashString(key);
    let cell = hash & mask;
    while (cells[2 * cell] !== empty && !this.#isRemoved(cell)) cell = (cell + 1) & mask;
    if (cells[2 * cell] !== empty) {
      this.#removed[cell >>> 5]! &= ~(1 << (cell & 31));
      this.#removedCells--;
    }
    cells[2 * cell] = slot + 1;
    cells[2 * cell + 1] = hash;
    this.#cellOf[slot] = cell;
    this.#size++;
  }

  /** Unindexes `slot` without reading its key or its cell; a slot not indexed is left alone. */
  delete(slot: number): void {
    if (slot >= this.#cellOf.length) return;
    const cell = this.#cellOf[slot]!;
    if (cell < 0) return;
    this.#cellOf[slot] = -1;
    this.#size--;
    this.#removed[cell >>> 5]! |= 1 << (cell & 31);
    this.#removedCells++;
    this.#purgeOwed += purgeCellsPerRemoval;
    if (this.#purgeOwed >= purgeChunkCells) this.#purge();
  }

  clear(): void {
    this.#cells = new Int32Array(0);
    this.#removed = new Int32Array(0);
    this.#cellOf = new Int32Array(0);
    this.#mask = -1;
    this.#size = 0;
    this.#removedCells = 0;
    this.#purgeCell = 0;
    this.#purgeOwed = 0;
  }

  #isRemoved(cell: number): boolean {
    return (this.#removed[cell >>> 5]! & (1 << (cell & 31))) !== 0;
  }

  /**
   * Advances the walk by the cells owed, from where it stopped, jumping through the bitmap to each removed cell and
   * rebuilding the run from there to the next empty cell. That run may begin in the middle of a cluster, which is
   * safe: no key past the empty cell that ends it probes through it, and a live key put back from its home lands no
   * later than where it was, since the keys before it in the run land no later than where they were.
   */
  #purge(): void {
    const cells = this.#cells;
    const removedBits = this.#removed;
    const mask = this.#mask;
    let owed = this.#purgeOwed;
    let cell = this.#purgeCell & mask;
    while (owed > 0 && this.#removedCells > 0) {
      const bits = removedBits[cell >>> 5]! & (-1 << (cell & 31));
      if (bits === 0) {
        const next = ((cell | 31) + 1) & mask;
        owed -= 32 - (cell & 31);
        cell = next;
        continue;
      }
      const found = (cell & ~31) + 31 - Math.clz32(bits & -bits);
      owed -= found - cell;
      let end = found;
      let length = 0;
      do {
        end = (end + 1) & mask;
        length++;
      } while (cells[2 * end] !== empty);
      this.#rebuild(found, length);
      cell = end;
      owed -= length;
    }
    this.#purgeCell = cell;
    this.#purgeOwed = this.#removedCells > 0 ? Math.max(0, owed) : 0;
  }

  /** Empties the `length` cells from `start` and puts their live keys back, each from its home. */
  #rebuild(start: number, length: number): void {
    const cells = this.#cells;
    const removedBits = this.#removed;
    const cellOf = this.#cellOf;
    const mask = this.#mask;
    if (this.#run.length < 3 * length) this.#run = new Int32Array(6 * length);
    const run = this.#run;
    let live = 0;
    let cleared = 0;
    for (let i = 0, cell = start; i < length; i++, cell = (cell + 1) & mask) {
      const bit = 1 << (cell & 31);
      if ((removedBits[cell >>> 5]! & bit) !== 0) {
        removedBits[cell >>> 5]! &= ~bit;
        cleared++;
      } else {
        run[3 * live] = cells[2 * cell]!;
        run[3 * live + 1] = cells[2 * cell + 1]!;
        run[3 * live + 2] = cell;
        live++;
      }
      cells[2 * cell] = empty;
    }
    this.#removedCells -= cleared;
    for (let i = 0; i < live; i++) {
      const stored = run[3 * i]!;
      const cell = this.#placeFromHome(stored, run[3 * i + 1]!);
      if (cell !== run[3 * i + 2]) cellOf[stored - 1] = cell;
    }
  }

  /** A new table of `capacity` cells holding the live keys only. */
  #rehash(capacity: number): void {
    const old = this.#cells;
    const oldRemoved = this.#removed;
    this.#cells = new Int32Array(2 * capacity);
    this.#removed = new Int32Array(Math.ceil(capacity / 32));
    this.#mask = capacity - 1;
    this.#removedCells = 0;
    this.#purgeCell = 0;
    this.#purgeOwed = 0;
    for (let from = 0; 2 * from < old.length; from++) {
      const stored = old[2 * from]!;
      if (stored === empty || (oldRemoved[from >>> 5]! & (1 << (from & 31))) !== 0) continue;
      this.#cellOf[stored - 1] = this.#placeFromHome(stored, old[2 * from + 1]!);
    }
  }

  /** Puts (slot + 1, hash) in the first empty cell from the hash's home, and returns that cell. */
  #placeFromHome(stored: number, hash: number): number {
    const cells = this.#cells;
    const mask = this.#mask;
    let cell = hash & mask;
    while (cells[2 * cell] !== empty) cell = (cell + 1) & mask;
    cells[2 * cell] = stored;
    cells[2 * cell + 1] = hash;
    return cell;
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
