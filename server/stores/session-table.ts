import { ExpiryIndex } from './expiry-index.ts';
import { SlotIndex } from './slot-index.ts';
import { sessionExpiresAt, type SessionRecord } from './store.ts';

/** `#flags` bits. */
const guestCartFlag = 1;
const familyFlag = 2;

/**
 * The memory store's sessions packed in columns: one slot per session, its times in typed arrays, its strings in
 * plain arrays, and two SlotIndexes from string to slot (by secret, by id), hash tables in typed arrays. A session
 * costs no object of its own and no boxed number, so a million of them take a fraction of the heap a Map of record
 * objects would, and the collector has little to trace. Removing one (what the sweep does a million times) reads
 * none of its strings: two index entries found by slot, an expiry-index unlink, a few stores. Freed slots are reused;
 * the columns never shrink.
 */
export class SessionTable {
  // A freed slot holds '' and null, so an ended session's strings are not kept reachable.
  readonly #ids: string[] = [];
  readonly #secrets: string[] = [];
  readonly #slotBySecret = new SlotIndex(this.#secrets);
  readonly #slotById = new SlotIndex(this.#ids);
  readonly #expiry = new ExpiryIndex();
  readonly #free: number[] = [];
  readonly #csrfTokens: string[] = [];
  readonly #userIds: (string | null)[] = [];
  #createdAt = new Float64Array(0);
  #lastSeenAt = new Float64Array(0);
  #idleTimeoutMs = new Float64Array(0);
  /** NaN for a session without an absolute limit. */
  #absoluteExpiresAt = new Float64Array(0);
  /**
   * guestCartFlag while the session, a guest's, has a cart; familyFlag while it may have a refresh family: the sweep
   * looks those up only for the sessions that have them.
   */
  #flags = new Uint8Array(0);

  get size(): number {
    return this.#slotById.size;
  }

  slotOfSecret(secret: string): number | undefined {
    return this.#slotBySecret.get(secret);
  }

  slotOf(id: string): number | undefined {
    return this.#slotById.get(id);
  }

  /** A copy: the caller may change it without changing what is stored. */
  record(slot: number): SessionRecord {
    const absolute = this.#absoluteExpiresAt[slot]!;
    return {
      id: this.#ids[slot]!,
      userId: this.#userIds[slot]!,
      csrfToken: this.#csrfTokens[slot]!,
      createdAt: this.#createdAt[slot]!,
      lastSeenAt: this.#lastSeenAt[slot]!,
      idleTimeoutMs: this.#idleTimeoutMs[slot]!,
      absoluteExpiresAt: Number.isNaN(absolute) ? null : absolute,
    };
  }

  idOf(slot: number): string {
    return this.#ids[slot]!;
  }

  userIdOf(slot: number): string | null {
    return this.#userIds[slot]!;
  }

  lastSeenAtOf(slot: number): number {
    return this.#lastSeenAt[slot]!;
  }

  /** Stores a new session under `secret`; a record whose id is stored already replaces it and takes the new secret. */
  insert(secret: string, record: SessionRecord): number {
    let slot = this.#slotById.get(record.id);
    if (slot !== undefined) this.#slotBySecret.delete(slot);
    else {
      slot = this.#free.pop() ?? this.#ids.length;
      if (slot === this.#ids.length) this.#append();
      this.#ids[slot] = record.id;
      this.#slotById.add(record.id, slot);
    }
    // A secret takes its newest session, as a Map's set would: an older one holding it is no longer found by it.
    const holder = this.#slotBySecret.get(secret);
    if (holder !== undefined) this.#slotBySecret.delete(holder);
    this.#secrets[slot] = secret;
    this.#slotBySecret.add(secret, slot);
    this.replace(slot, record);
    return slot;
  }

  replace(slot: number, record: SessionRecord): void {
    this.#ids[slot] = record.id;
    this.#userIds[slot] = record.userId;
    this.#csrfTokens[slot] = record.csrfToken;
    this.#createdAt[slot] = record.createdAt;
    this.#lastSeenAt[slot] = record.lastSeenAt;
    this.#idleTimeoutMs[slot] = record.idleTimeoutMs;
    this.#absoluteExpiresAt[slot] = record.absoluteExpiresAt ?? NaN;
    this.#expiry.set(slot, sessionExpiresAt(record));
  }

  touch(slot: number, lastSeenAt: number): void {
    this.#lastSeenAt[slot] = lastSeenAt;
    const idle = lastSeenAt + this.#idleTimeoutMs[slot]!;
    const absolute = this.#absoluteExpiresAt[slot]!;
    this.#expiry.set(slot, Number.isNaN(absolute) ? idle : Math.min(idle, absolute));
  }

  remove(slot: number): void {
    this.#slotById.delete(slot);
    this.#slotBySecret.delete(slot);
    this.#expiry.delete(slot);
    this.#release(slot);
  }

  /**
   * Removes every slot in `slots`, one structure at a time. Each pass is a tight loop over independent slots, so the
   * CPU overlaps their cache misses, where `remove` in a loop waits on each session's misses in turn. Under live
   * traffic, with the caches cold between the sweep's slices, this took a swept session from about 0.45 to 0.37 µs
   * (docs/configuration.md).
   */
  removeAll(slots: readonly number[]): void {
    for (const slot of slots) this.#slotById.delete(slot);
    for (const slot of slots) this.#slotBySecret.delete(slot);
    for (const slot of slots) {
      this.#expiry.delete(slot);
      this.#release(slot);
    }
  }

  /** Blanks a removed slot's columns, so its strings are not kept reachable, and frees it for reuse. */
  #release(slot: number): void {
    this.#ids[slot] = this.#secrets[slot] = this.#csrfTokens[slot] = '';
    this.#userIds[slot] = null;
    this.#flags[slot] = 0;
    this.#free.push(slot);
  }

  hasGuestCart(slot: number): boolean {
    return (this.#flags[slot]! & guestCartFlag) !== 0;
  }

  setGuestCart(slot: number, exists: boolean): void {
    this.#flags[slot] = exists ? this.#flags[slot]! | guestCartFlag : this.#flags[slot]! & ~guestCartFlag;
  }

  /** Whether a refresh family was created for the session (it may have been dropped since). */
  mayHaveFamily(slot: number): boolean {
    return (this.#flags[slot]! & familyFlag) !== 0;
  }

  markFamily(slot: number): void {
    this.#flags[slot] = this.#flags[slot]! | familyFlag;
  }

  /**
   * Up to `limit` slots whose session has expired at `now`, earliest first, taken out of the expiry index: the
   * caller removes them (`removeAll`).
   */
  takeDue(now: number, limit: number): number[] {
    return this.#expiry.takeDue(now, limit);
  }

  countDue(now: number): number {
    return this.#expiry.countDue(now);
  }

  clear(): void {
    this.#slotBySecret.clear();
    this.#slotById.clear();
    this.#expiry.clear();
    for (const column of [this.#free, this.#ids, this.#secrets, this.#csrfTokens, this.#userIds]) column.length = 0;
    this.#createdAt = new Float64Array(0);
    this.#lastSeenAt = new Float64Array(0);
    this.#idleTimeoutMs = new Float64Array(0);
    this.#absoluteExpiresAt = new Float64Array(0);
    this.#flags = new Uint8Array(0);
  }

  /** Opens the next never-used slot, doubling the typed columns when they are full. */
  #append(): void {
    this.#ids.push('');
    this.#secrets.push('');
    this.#csrfTokens.push('');
    this.#userIds.push(null);
    if (this.#ids.length <= this.#createdAt.length) return;
    const capacity = Math.max(1024, this.#createdAt.length * 2);
    this.#createdAt = grown(this.#createdAt, capacity);
    this.#lastSeenAt = grown(this.#lastSeenAt, capacity);
    this.#idleTimeoutMs = grown(this.#idleTimeoutMs, capacity);
    this.#absoluteExpiresAt = grown(this.#absoluteExpiresAt, capacity);
    const flags = new Uint8Array(capacity);
    flags.set(this.#flags);
    this.#flags = flags;
  }
}

function grown(column: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const copy = new Float64Array(capacity);
  copy.set(column);
  return copy;
}
