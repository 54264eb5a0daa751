/**
 * Keys ordered by expiry time, so a sweep costs what expired rather than what is stored. Keys sit in time buckets;
 * a min-heap holds each bucket once, so finding the due buckets is O(log buckets) and moving a key (a session being
 * touched) is O(1).
 */
export class ExpiryIndex<K> {
  readonly #bucketMs: number;
  readonly #buckets = new Map<number, Set<K>>();
  readonly #heap: number[] = [];
  readonly #expiresAt = new Map<K, number>();

  constructor(bucketMs = 1000) {
    this.#bucketMs = bucketMs;
  }

  get size(): number {
    return this.#expiresAt.size;
  }

  set(key: K, expiresAt: number): void {
    const previous = this.#expiresAt.get(key);
    if (previous !== undefined) this.#bucketOf(previous)?.delete(key);
    this.#expiresAt.set(key, expiresAt);
    const bucket = Math.floor(expiresAt / this.#bucketMs);
    let members = this.#buckets.get(bucket);
    if (!members) {
      members = new Set();
      this.#buckets.set(bucket, members);
      this.#push(bucket);
    }
    members.add(key);
  }

  delete(key: K): void {
    const expiresAt = this.#expiresAt.get(key);
    if (expiresAt === undefined) return;
    this.#expiresAt.delete(key);
    this.#bucketOf(expiresAt)?.delete(key);
  }

  /** Up to `limit` keys with expiry <= now, earliest buckets first. The caller deletes what it removes. */
  due(now: number, limit: number): K[] {
    const lastDueBucket = Math.floor(now / this.#bucketMs);
    const visited: number[] = [];
    const found: K[] = [];
    while (found.length < limit && this.#heap.length > 0 && this.#heap[0]! <= lastDueBucket) {
      const bucket = this.#pop();
      const members = this.#buckets.get(bucket);
      if (!members?.size) {
        this.#buckets.delete(bucket);
        continue;
      }
      visited.push(bucket);
      for (const key of members) {
        if (found.length >= limit) break;
        if (this.#expiresAt.get(key)! <= now) found.push(key);
      }
    }
    for (const bucket of visited) this.#push(bucket);
    return found;
  }

  countDue(now: number): number {
    let count = 0;
    for (const [bucket, members] of this.#buckets) {
      if ((bucket + 1) * this.#bucketMs <= now) count += members.size;
      else if (bucket * this.#bucketMs <= now) {
        for (const key of members) if ((this.#expiresAt.get(key) ?? Infinity) <= now) count++;
      }
    }
    return count;
  }

  clear(): void {
    this.#buckets.clear();
    this.#expiresAt.clear();
    this.#heap.length = 0;
  }

  #bucketOf(expiresAt: number): Set<K> | undefined {
    return this.#buckets.get(Math.floor(expiresAt / this.#bucketMs));
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
