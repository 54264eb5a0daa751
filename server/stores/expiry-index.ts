/** `next` of a bucket's last slot, and `prev` of a slot in no bucket. */
const none = -1;
/** `prev` of a bucket's first slot. */
const first = -2;

interface Bucket {
  head: number;
  size: number;
}

/**
 * Slots (small non-negative integers naming records kept elsewhere) ordered by expiry time, so a sweep costs what
 * expired rather than what is stored. Slots sit in time buckets, each a doubly linked list threaded through two
 * typed arrays, so indexing a slot takes no object and moving it (a session being touched) is O(1); a min-heap holds
 * each bucket once, so finding the due buckets is O(log buckets).
 */
export class ExpiryIndex {
  readonly #bucketMs: number;
  readonly #buckets = new Map<number, Bucket>();
  readonly #heap: number[] = [];
  #expiresAt = new Float64Array(0);
  #next = new Int32Array(0);
  #prev = new Int32Array(0);

  constructor(bucketMs = 1000) {
    this.#bucketMs = bucketMs;
  }

  /** Indexes `slot` at `expiresAt`, moving it if it is indexed already. */
  set(slot: number, expiresAt: number): void {
    if (slot >= this.#next.length) this.#grow(slot + 1);
    if (this.#prev[slot] !== none) {
      if (this.#bucketOf(this.#expiresAt[slot]!) === this.#bucketOf(expiresAt)) {
        this.#expiresAt[slot] = expiresAt;
        return;
      }
      this.#unlink(slot);
    }
    this.#expiresAt[slot] = expiresAt;
    this.#link(slot);
  }

  delete(slot: number): void {
    if (slot >= this.#prev.length || this.#prev[slot] === none) return;
    this.#unlink(slot);
  }

  /**
   * Takes up to `limit` slots with expiry <= now out of the index, earliest buckets first, and returns them: the
   * caller removes their records. Each is unlinked from the bucket in hand, so taking one costs no bucket lookup.
   */
  takeDue(now: number, limit: number): number[] {
    const lastDueBucket = this.#bucketOf(now);
    const kept: number[] = [];
    const found: number[] = [];
    while (found.length < limit && this.#heap.length > 0 && this.#heap[0]! <= lastDueBucket) {
      const key = this.#pop();
      const bucket = this.#buckets.get(key)!;
      let slot = bucket.head;
      while (slot !== none && found.length < limit) {
        const next = this.#next[slot]!;
        if (this.#expiresAt[slot]! <= now) {
          this.#unlinkFrom(bucket, slot);
          found.push(slot);
        }
        slot = next;
      }
      if (bucket.size === 0) this.#buckets.delete(key);
      else kept.push(key);
    }
    for (const key of kept) this.#push(key);
    return found;
  }

  countDue(now: number): number {
    let count = 0;
    for (const [key, bucket] of this.#buckets) {
      if ((key + 1) * this.#bucketMs <= now) count += bucket.size;
      else if (key * this.#bucketMs <= now) {
        for (let slot = bucket.head; slot !== none; slot = this.#next[slot]!)
          if (this.#expiresAt[slot]! <= now) count++;
      }
    }
    return count;
  }

  clear(): void {
    this.#buckets.clear();
    this.#heap.length = 0;
    this.#expiresAt = new Float64Array(0);
    this.#next = new Int32Array(0);
    this.#prev = new Int32Array(0);
  }

  #bucketOf(expiresAt: number): number {
    return Math.floor(expiresAt / this.#bucketMs);
  }

  #link(slot: number): void {
    const key = this.#bucketOf(this.#expiresAt[slot]!);
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      this.#buckets.set(key, (bucket = { head: none, size: 0 }));
      this.#push(key);
    }
    this.#prev[slot] = first;
    this.#next[slot] = bucket.head;
    if (bucket.head !== none) this.#prev[bucket.head] = slot;
    bucket.head = slot;
    bucket.size++;
  }

  #unlink(slot: number): void {
    this.#unlinkFrom(this.#buckets.get(this.#bucketOf(this.#expiresAt[slot]!))!, slot);
  }

  #unlinkFrom(bucket: Bucket, slot: number): void {
    const prev = this.#prev[slot]!;
    const next = this.#next[slot]!;
    if (prev === first) bucket.head = next;
    else this.#next[prev] = next;
    if (next !== none) this.#prev[next] = prev;
    this.#prev[slot] = none;
    this.#next[slot] = none;
    bucket.size--;
  }

  #grow(minimum: number): void {
    const capacity = Math.max(minimum, this.#next.length * 2, 1024);
    const expiresAt = new Float64Array(capacity);
    expiresAt.set(this.#expiresAt);
    const next = new Int32Array(capacity).fill(none);
    next.set(this.#next);
    const prev = new Int32Array(capacity).fill(none);
    prev.set(this.#prev);
    [this.#expiresAt, this.#next, this.#prev] = [expiresAt, next, prev];
  }

  #push(value: number): void {
    const heap = this.#heap;
    heap.push(value);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= value) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = value;
  }

  #pop(): number {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
        if (heap[child]! >= last) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
