import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GuestSessionEndedError } from '../../server/errors.ts';
import { createServer } from '../../server/index.ts';
import { mergedQuantity } from '../../properties/model.ts';
import {
  mergeStrategies,
  sessionExpiresAt,
  type CartOwner,
  type SessionRecord,
  type Store,
} from '../../server/stores/store.ts';
import { CookieClient } from '../support/http-client.ts';

/** A fixed epoch-millisecond origin: times in the store contract are exact integers of today's magnitude. */
const T0 = 1_763_000_000_123;
const minute = 60_000;

function guestRecord(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    userId: null,
    csrfToken: `csrf-${id}`,
    createdAt: T0,
    lastSeenAt: T0,
    idleTimeoutMs: 24 * 60 * minute,
    absoluteExpiresAt: null,
    ...overrides,
  };
}

function userRecord(id: string, userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return guestRecord(id, { userId, idleTimeoutMs: 15 * minute, absoluteExpiresAt: T0 + 160 * minute, ...overrides });
}

function family(id: string, sessionId: string, userId: string) {
  return { id, sessionId, userId, generation: 0, rotatedAt: T0 };
}

/**
 * A sweep batch's counts. A store that works outside this process reports the batch's own work as well, which the
 * sweeper charges to its slice budget: a number of milliseconds, never negative.
 */
async function sweepCounts(store: Store, now: number, limit: number) {
  const { workMs, ...counts } = await store.sweep(now, limit);
  if (store.kind === 'memory') expect(workMs).toBeUndefined();
  else expect(workMs).toBeGreaterThanOrEqual(0);
  return counts;
}

const quantities = (cart: { items: { sku: string; quantity: number }[] }) =>
  Object.fromEntries(cart.items.map((line) => [line.sku, line.quantity]));

/** How the contract gets its store: opened once per file; closed by `close` when given, else by `store.close()`. */
export interface ContractTarget {
  open(): Promise<Store>;
  close?(store: Store): Promise<void>;
}

/**
 * The store contract: every Store method's semantics and the concurrency guarantees, against one store. A null
 * target skips the suite and the reason shows in its name.
 */
export function describeStoreContract(name: string, target: ContractTarget | null, skipReason?: string): void {
  if (target === null) {
    describe.skip(`store contract: ${name} (skipped: ${skipReason ?? 'no store'})`, () => {
      it('needs the store', () => {});
    });
    return;
  }

  describe(`store contract: ${name}`, () => {
    let store: Store;

    beforeAll(async () => {
      store = await target.open();
    });
    beforeEach(async () => {
      await store.reset();
    });
    afterAll(async () => {
      if (!store) return;
      await store.reset();
      await (target.close ? target.close(store) : store.close());
    });

    /** A guest cart needs its guest session: this opens `guest:<id>`'s. */
    const openGuest = (id: string) => store.createSession(`secret-${id}`, guestRecord(id));
    const refusedAsEnded = (write: Promise<unknown>, id: string) =>
      expect(write).rejects.toSatisfy((error) => error instanceof GuestSessionEndedError && error.sessionId === id);

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('users', () => {
      it('creates a user once per email and finds it by email and by id', async () => {
        const user = { id: 'u-1', email: 'one@example.test', passwordHash: 'hash-1' };
        expect(await store.createUser(user)).toBe(true);
        expect(await store.createUser({ id: 'u-2', email: user.email, passwordHash: 'other' })).toBe(false);
        expect(await store.findUserByEmail(user.email)).toEqual(user);
        expect(await store.findUser('u-1')).toEqual(user);
        expect(await store.findUser('u-2')).toBeNull();
        expect(await store.findUserByEmail('nobody@example.test')).toBeNull();
      });
    });

    describe('sessions', () => {
      it('finds a created session by its secret and by its id, nulls included, and hands out copies', async () => {
        const guest = guestRecord('s-guest');
        const user = userRecord('s-user', 'u-1');
        await store.createSession('secret-guest', guest);
        await store.createSession('secret-user', user);
        expect(await store.findSessionBySecret('secret-guest')).toEqual(guest);
        expect(await store.findSession('s-user')).toEqual(user);
        expect(await store.findSessionBySecret('s-user')).toBeNull();
        expect(await store.findSession('secret-user')).toBeNull();

        const copy = (await store.findSession('s-guest'))!;
        copy.csrfToken = 'changed';
        expect((await store.findSession('s-guest'))!.csrfToken).toBe(guest.csrfToken);
      });

      it('replaces a live session under its own secret only, and moves its expiry', async () => {
        const record = userRecord('s-1', 'u-1');
        await store.createSession('secret-1', record);
        const later = { ...record, lastSeenAt: T0 + 20 * minute, csrfToken: 'rotated' };
        expect(await store.replaceSession('wrong-secret', later)).toBe(false);
        expect(await store.findSession('s-1')).toEqual(record);
        expect(await store.replaceSession('secret-1', later)).toBe(true);
        expect(await store.findSessionBySecret('secret-1')).toEqual(later);
        // The old idle expiry (T0 + 15 min) has passed, the new one (T0 + 35 min) has not.
        expect(await store.sessionStats(T0 + 30 * minute)).toMatchObject({ live: 1, expiredAwaitingSweep: 0 });
      });

      it('touches forward only, moves the idle expiry, and reports a missing session', async () => {
        const record = userRecord('s-1', 'u-1');
        await store.createSession('secret-1', record);
        expect(await store.touchSession('s-1', T0 + 10 * minute)).toBe(true);
        expect(await store.touchSession('s-1', T0 + 5 * minute)).toBe(true);
        expect((await store.findSession('s-1'))!.lastSeenAt).toBe(T0 + 10 * minute);
        expect(await store.sessionStats(T0 + 20 * minute)).toMatchObject({ live: 1, expiredAwaitingSweep: 0 });
        expect(await store.sessionStats(T0 + 25 * minute)).toMatchObject({ live: 0, expiredAwaitingSweep: 1 });
        expect(await store.touchSession('missing', T0)).toBe(false);
      });

      it('finds by secret and touches in one step: a live session moves forward only, an expired one stays put', async () => {
        const record = userRecord('s-1', 'u-1');
        await store.createSession('secret-1', record);
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + 10 * minute, 0)).toEqual(record);
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + 5 * minute, 0)).toEqual({
          ...record,
          lastSeenAt: T0 + 10 * minute,
        });
        expect((await store.findSession('s-1'))!.lastSeenAt).toBe(T0 + 10 * minute);
        expect(await store.sessionStats(T0 + 24 * minute)).toMatchObject({ live: 1, expiredAwaitingSweep: 0 });
        expect(await store.sessionStats(T0 + 25 * minute)).toMatchObject({ live: 0, expiredAwaitingSweep: 1 });

        // Idle past its timeout: handed back as stored, and its idle timer does not move.
        const expired = { ...record, lastSeenAt: T0 + 10 * minute };
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + 26 * minute, 0)).toEqual(expired);
        expect(await store.findSession('s-1')).toEqual(expired);
        expect(await store.sessionStats(T0 + 26 * minute)).toMatchObject({ live: 0, expiredAwaitingSweep: 1 });

        expect(await store.findSessionBySecretAndTouch('missing', T0, 0)).toBeNull();
        expect(await store.endSession('s-1')).toBe(true);
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + 11 * minute, 0)).toBeNull();
        expect(await store.findSession('s-1')).toBeNull();
      });

      it('finds, touches and gets the cart the session reaches in one step; an expired session gets no cart', async () => {
        const guest = guestRecord('s-guest', { idleTimeoutMs: 10 * minute });
        await store.createSession('secret-guest', guest);
        const first = await store.findSessionWithCart('secret-guest', T0 + minute, 0, 'cart-guest');
        expect(first).toEqual({ session: guest, cart: { id: 'cart-guest', owner: 'guest', items: [], version: 0 } });
        await store.addToCart('guest:s-guest', 'unused', { sku: 'A', quantity: 2 }, 10);
        expect(await store.findSessionWithCart('secret-guest', T0 + 2 * minute, 0, 'other')).toEqual({
          session: { ...guest, lastSeenAt: T0 + minute },
          cart: { id: 'cart-guest', owner: 'guest', items: [{ sku: 'A', quantity: 2 }], version: 1 },
        });
        expect((await store.findSession('s-guest'))!.lastSeenAt).toBe(T0 + 2 * minute);

        const user = userRecord('s-user', 'u-1');
        await store.createSession('secret-user', user);
        await store.addToCart('user:u-1', 'cart-user', { sku: 'B', quantity: 1 }, 10);
        expect(await store.findSessionWithCart('secret-user', T0 + minute, 0, 'other')).toMatchObject({
          session: user,
          cart: { id: 'cart-user', owner: 'user', items: [{ sku: 'B', quantity: 1 }] },
        });

        // Idle past its timeout: the session as stored, untouched, and no cart made for it.
        const idle = await store.findSessionWithCart('secret-guest', T0 + 13 * minute, 0, 'late');
        expect(idle).toEqual({ session: { ...guest, lastSeenAt: T0 + 2 * minute }, cart: null });
        expect((await store.findSession('s-guest'))!.lastSeenAt).toBe(T0 + 2 * minute);
        expect(await store.findSessionWithCart('missing', T0, 0, 'x')).toBeNull();
        await store.endSession('s-user');
        expect(await store.findSessionWithCart('secret-user', T0 + minute, 0, 'x')).toBeNull();
      });

      it('with a touch window, moves the idle timer only once it lags by more than the window', async () => {
        const record = userRecord('s-1', 'u-1');
        await store.createSession('secret-1', record);
        const seen = async () => (await store.findSession('s-1'))!.lastSeenAt;
        // Exactly the window behind: no touch is due, by either fused call.
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + minute, minute)).toEqual(record);
        expect(await store.findSessionWithCart('secret-1', T0 + minute, minute, 'cart-1')).toMatchObject({
          session: record,
          cart: { id: 'cart-1', owner: 'user' },
        });
        expect(await seen()).toBe(T0);
        // Past it: touched to now, the record handed back as found.
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + minute + 1, minute)).toEqual(record);
        expect(await seen()).toBe(T0 + minute + 1);
        expect((await store.findSessionWithCart('secret-1', T0 + 3 * minute, minute, 'other'))!.session).toEqual({
          ...record,
          lastSeenAt: T0 + minute + 1,
        });
        expect(await seen()).toBe(T0 + 3 * minute);
        // An expired session is not touched, whatever the window.
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + 30 * minute, minute)).toMatchObject({
          lastSeenAt: T0 + 3 * minute,
        });
        expect(await seen()).toBe(T0 + 3 * minute);
        await store.endSession('s-1');
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + 4 * minute, minute)).toBeNull();
        expect(await store.findSessionWithCart('secret-1', T0 + 4 * minute, minute, 'x')).toBeNull();
      });

      it('find-and-touch caps the idle expiry at the absolute expiry', async () => {
        const record = userRecord('s-1', 'u-1', { absoluteExpiresAt: T0 + 20 * minute });
        await store.createSession('secret-1', record);
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + 14 * minute, 0)).toEqual(record);
        expect(await store.sessionStats(T0 + 20 * minute - 1)).toMatchObject({ live: 1, expiredAwaitingSweep: 0 });
        expect(await store.sessionStats(T0 + 20 * minute)).toMatchObject({ live: 0, expiredAwaitingSweep: 1 });
        expect(await store.findSessionBySecretAndTouch('secret-1', T0 + 20 * minute, 0)).toEqual({
          ...record,
          lastSeenAt: T0 + 14 * minute,
        });
      });

      it('caps the idle expiry at the absolute expiry', async () => {
        const record = userRecord('s-1', 'u-1', { absoluteExpiresAt: T0 + 20 * minute });
        await store.createSession('secret-1', record);
        await store.touchSession('s-1', T0 + 19 * minute);
        expect(await store.sessionStats(T0 + 20 * minute - 1)).toMatchObject({ live: 1, expiredAwaitingSweep: 0 });
        expect(await store.sessionStats(T0 + 20 * minute)).toMatchObject({ live: 0, expiredAwaitingSweep: 1 });
      });

      it('ends a session with its secret, user index entry, refresh family and guest cart, once', async () => {
        await store.createSession('secret-guest', guestRecord('s-guest'));
        await store.getOrCreateCart('guest:s-guest', 'cart-guest');
        await store.createSession('secret-user', userRecord('s-user', 'u-1'));
        await store.createRefreshFamily(family('f-1', 's-user', 'u-1'));
        await store.addToCart('user:u-1', 'cart-user', { sku: 'A', quantity: 2 }, 100);

        expect(await store.endSession('s-guest')).toBe(true);
        expect(await store.endSession('s-guest')).toBe(false);
        expect(await store.findSessionBySecret('secret-guest')).toBeNull();
        await refusedAsEnded(store.getOrCreateCart('guest:s-guest', 'cart-new'), 's-guest');

        expect(await store.endSession('s-user')).toBe(true);
        expect(await store.findSession('s-user')).toBeNull();
        expect(await store.findRefreshFamily('f-1')).toBeNull();
        expect(await store.listUserSessions('u-1')).toEqual([]);
        // A user's cart outlives the user's sessions.
        expect(quantities(await store.getOrCreateCart('user:u-1', 'unused'))).toEqual({ A: 2 });
        expect(await store.sessionStats(T0)).toMatchObject({ live: 0, created: 2, ended: 2 });
      });

      it('ends every session of one user and no other', async () => {
        for (const id of ['a-1', 'a-2', 'a-3']) {
          await store.createSession(`secret-${id}`, userRecord(id, 'alice'));
          await store.createRefreshFamily(family(`f-${id}`, id, 'alice'));
        }
        await store.createSession('secret-b-1', userRecord('b-1', 'bob'));
        await store.createRefreshFamily(family('f-b-1', 'b-1', 'bob'));

        expect(await store.endUserSessions('alice')).toBe(3);
        expect(await store.endUserSessions('alice')).toBe(0);
        expect(await store.listUserSessions('alice')).toEqual([]);
        for (const id of ['a-1', 'a-2', 'a-3']) {
          expect(await store.findSessionBySecret(`secret-${id}`)).toBeNull();
          expect(await store.findRefreshFamily(`f-${id}`)).toBeNull();
        }
        expect((await store.listUserSessions('bob')).map((s) => s.id)).toEqual(['b-1']);
        expect(await store.findRefreshFamily('f-b-1')).not.toBeNull();
        expect(await store.sessionStats(T0)).toMatchObject({ live: 1, created: 4, ended: 3 });
      });

      it('lists the sessions of a user, and only those', async () => {
        const one = userRecord('s-1', 'u-1');
        const two = userRecord('s-2', 'u-1', { createdAt: T0 + 1, lastSeenAt: T0 + 1 });
        await store.createSession('secret-1', one);
        await store.createSession('secret-2', two);
        await store.createSession('secret-3', userRecord('s-3', 'u-2'));
        await store.createSession('secret-4', guestRecord('s-4'));
        const listed = await store.listUserSessions('u-1');
        expect(listed.sort((a, b) => a.createdAt - b.createdAt)).toEqual([one, two]);
        expect(await store.listUserSessions('nobody')).toEqual([]);
      });

      it('counts live, expired-awaiting-sweep, created, ended and swept', async () => {
        await store.createSession('secret-1', guestRecord('s-1', { idleTimeoutMs: minute }));
        await store.createSession('secret-2', guestRecord('s-2', { idleTimeoutMs: 10 * minute }));
        await store.createSession('secret-3', guestRecord('s-3', { idleTimeoutMs: 10 * minute }));
        await store.endSession('s-3');
        // Expiry is inclusive: a session is live strictly before it expires.
        expect(await store.sessionStats(T0 + minute - 1)).toEqual({
          live: 2,
          expiredAwaitingSweep: 0,
          created: 3,
          ended: 1,
          swept: 0,
        });
        expect(await store.sessionStats(T0 + minute)).toEqual({
          live: 1,
          expiredAwaitingSweep: 1,
          created: 3,
          ended: 1,
          swept: 0,
        });
        expect(await sweepCounts(store, T0 + minute, 10)).toEqual({ sessions: 1, carts: 0, refreshFamilies: 0 });
        expect(await store.sessionStats(T0 + minute)).toEqual({
          live: 1,
          expiredAwaitingSweep: 0,
          created: 3,
          ended: 1,
          swept: 1,
        });
      });
    });

    describe('sweep', () => {
      it("sweeps a guest session's refresh family too, made before or after the session, across a replace", async () => {
        const now = T0 + 30 * minute;
        const old = { idleTimeoutMs: 10 * minute };
        await store.createRefreshFamily(family('f-early', 'g-early', 'u-0'));
        await store.createSession('secret-g-early', guestRecord('g-early', old));
        await store.createSession('secret-g-late', guestRecord('g-late', old));
        await store.createRefreshFamily(family('f-late', 'g-late', 'u-0'));
        expect(await store.replaceSession('secret-g-late', guestRecord('g-late', old))).toBe(true);
        expect(await sweepCounts(store, now, 10)).toEqual({ sessions: 2, carts: 0, refreshFamilies: 2 });
        expect(await store.findRefreshFamily('f-early')).toBeNull();
        expect(await store.findRefreshFamily('f-late')).toBeNull();
      });

      it('removes every expired session with its guest cart and family, in batches, and no live one', async () => {
        const now = T0 + 30 * minute;
        const expired: string[] = [];
        const live: string[] = [];
        const users = ['u-0', 'u-1', 'u-2'];
        for (let i = 0; i < 23; i++) {
          const id = `guest-old-${i}`;
          await store.createSession(`secret-${id}`, guestRecord(id, { idleTimeoutMs: 10 * minute }));
          if (i % 2 === 0) await store.addToCart(`guest:${id}`, `cart-${id}`, { sku: 'A', quantity: 1 }, 100);
          expired.push(id);
        }
        for (let i = 0; i < 12; i++) {
          const id = `user-old-${i}`;
          // Half die of idleness, half of the absolute limit while recently active; one exactly at `now`.
          const overrides = i % 2 === 0 ? {} : { lastSeenAt: now - minute, absoluteExpiresAt: i === 1 ? now : now - 1 };
          await store.createSession(`secret-${id}`, userRecord(id, users[i % 3]!, overrides));
          await store.createRefreshFamily(family(`f-${id}`, id, users[i % 3]!));
          expired.push(id);
        }
        for (let i = 0; i < 9; i++) {
          const id = `guest-new-${i}`;
          await store.createSession(`secret-${id}`, guestRecord(id));
          await store.addToCart(`guest:${id}`, `cart-${id}`, { sku: 'A', quantity: 1 }, 100);
          live.push(id);
        }
        for (let i = 0; i < 6; i++) {
          const id = `user-new-${i}`;
          await store.createSession(`secret-${id}`, userRecord(id, users[i % 3]!, { lastSeenAt: now - minute }));
          await store.createRefreshFamily(family(`f-${id}`, id, users[i % 3]!));
          live.push(id);
        }
        expect(await store.sessionStats(now)).toMatchObject({ live: 15, expiredAwaitingSweep: 35 });

        const batches = [];
        for (let pass = 0; pass < 20; pass++) {
          const batch = await sweepCounts(store, now, 8);
          batches.push(batch);
          if (batch.sessions < 8) break;
        }
        expect(batches.map((batch) => batch.sessions)).toEqual([8, 8, 8, 8, 3]);
        const total = batches.reduce((sum, batch) => ({
          sessions: sum.sessions + batch.sessions,
          carts: sum.carts + batch.carts,
          refreshFamilies: sum.refreshFamilies + batch.refreshFamilies,
        }));
        expect(total).toEqual({ sessions: 35, carts: 12, refreshFamilies: 12 });
        expect(await sweepCounts(store, now, 8)).toEqual({ sessions: 0, carts: 0, refreshFamilies: 0 });

        for (const id of expired) {
          expect(await store.findSession(id)).toBeNull();
          expect(await store.findSessionBySecret(`secret-${id}`)).toBeNull();
        }
        expect(await store.findRefreshFamily('f-user-old-0')).toBeNull();
        for (const id of live) expect(await store.findSession(id)).not.toBeNull();
        for (let i = 0; i < 9; i++) {
          expect((await store.getOrCreateCart(`guest:guest-new-${i}`, 'replacement')).id).toBe(`cart-guest-new-${i}`);
        }
        for (let i = 0; i < 6; i++) expect(await store.findRefreshFamily(`f-user-new-${i}`)).not.toBeNull();
        const indexed = (await Promise.all(users.map((user) => store.listUserSessions(user)))).flat().map((s) => s.id);
        expect(indexed.sort()).toEqual(live.filter((id) => id.startsWith('user-')).sort());
        expect(await store.sessionStats(now)).toMatchObject({ live: 15, expiredAwaitingSweep: 0, swept: 35 });
      });
    });

    describe('carts', () => {
      it('creates one cart per owner and keeps its id', async () => {
        await openGuest('s-1');
        const first = await store.getOrCreateCart('guest:s-1', 'cart-1');
        expect(first).toEqual({ id: 'cart-1', owner: 'guest', items: [], version: 0 });
        expect(await store.getOrCreateCart('guest:s-1', 'cart-2')).toEqual(first);
        expect(await store.getOrCreateCart('user:u-1', 'cart-3')).toEqual({
          id: 'cart-3',
          owner: 'user',
          items: [],
          version: 0,
        });
      });

      it('adds by incrementing, lists lines sorted by SKU, and bumps the version per write', async () => {
        await store.addToCart('user:u-1', 'cart-1', { sku: 'SKU-B', quantity: 2 }, 100);
        await store.addToCart('user:u-1', 'cart-2', { sku: 'SKU-A', quantity: 1 }, 100);
        const cart = await store.addToCart('user:u-1', 'cart-3', { sku: 'SKU-B', quantity: 5 }, 100);
        expect(cart).toEqual({
          id: 'cart-1',
          owner: 'user',
          items: [
            { sku: 'SKU-A', quantity: 1 },
            { sku: 'SKU-B', quantity: 7 },
          ],
          version: 3,
        });
      });

      it('refuses an add past the line cap and changes nothing', async () => {
        await openGuest('s-1');
        await openGuest('s-2');
        expect(await store.addToCart('guest:s-1', 'cart-1', { sku: 'A', quantity: 10 }, 10)).toMatchObject({
          version: 1,
        });
        expect(await store.addToCart('guest:s-1', 'cart-1', { sku: 'A', quantity: 1 }, 10)).toBeNull();
        expect(await store.getOrCreateCart('guest:s-1', 'cart-2')).toMatchObject({
          items: [{ sku: 'A', quantity: 10 }],
          version: 1,
        });
        // A refused first add leaves at most an empty cart behind (whether it keeps that cart is the store's choice).
        expect(await store.addToCart('guest:s-2', 'cart-3', { sku: 'A', quantity: 11 }, 10)).toBeNull();
        expect(await store.getOrCreateCart('guest:s-2', 'cart-4')).toMatchObject({
          owner: 'guest',
          items: [],
          version: 0,
        });
      });

      it('sets a line, removes it at 0, and removes a line outright', async () => {
        await openGuest('s-1');
        await openGuest('s-2');
        await store.addToCart('guest:s-1', 'cart-1', { sku: 'A', quantity: 4 }, 100);
        expect(quantities(await store.setCartLine('guest:s-1', 'x', { sku: 'A', quantity: 9 }))).toEqual({ A: 9 });
        expect(quantities(await store.setCartLine('guest:s-1', 'x', { sku: 'B', quantity: 1 }))).toEqual({
          A: 9,
          B: 1,
        });
        expect(quantities(await store.setCartLine('guest:s-1', 'x', { sku: 'A', quantity: 0 }))).toEqual({ B: 1 });
        const removed = await store.removeCartLine('guest:s-1', 'x', 'B');
        expect(removed).toEqual({ id: 'cart-1', owner: 'guest', items: [], version: 5 });
        expect(await store.removeCartLine('guest:s-2', 'cart-2', 'B')).toEqual({
          id: 'cart-2',
          owner: 'guest',
          items: [],
          version: 1,
        });
      });

      for (const strategy of mergeStrategies) {
        it(`merges a guest cart into the user cart by the shared rule (${strategy}), once`, async () => {
          const max = 8;
          const user = { A: 3, B: 5, C: 7 };
          const guest = { B: 4, C: 1, D: 9, E: 2 };
          await openGuest('s-1');
          for (const [sku, quantity] of Object.entries(user))
            await store.setCartLine('user:u-1', 'cart-user', { sku, quantity });
          for (const [sku, quantity] of Object.entries(guest))
            await store.setCartLine('guest:s-1', 'cart-guest', { sku, quantity });
          const expected: Record<string, number> = { ...user };
          for (const [sku, quantity] of Object.entries(guest)) {
            expected[sku] = mergedQuantity(strategy, user[sku as keyof typeof user], quantity, max);
          }

          const merged = await store.mergeCarts('guest:s-1', 'user:u-1', 'unused', strategy, max);
          expect(merged).toMatchObject({ id: 'cart-user', owner: 'user', version: 4 });
          expect(quantities(merged)).toEqual(expected);
          expect(merged.items.map((line) => line.sku)).toEqual(['A', 'B', 'C', 'D', 'E']);
          // The merge ended the guest session, so nothing can write to its cart any more.
          expect(await store.findSession('s-1')).toBeNull();
          await refusedAsEnded(store.getOrCreateCart('guest:s-1', 'fresh'), 's-1');
          expect(await store.sessionStats(T0)).toMatchObject({ live: 0, ended: 1 });

          const replayed = await store.mergeCarts('guest:s-1', 'user:u-1', 'unused', strategy, max);
          expect(replayed).toEqual(merged);
        });
      }

      it('merging without a guest cart or session creates the user cart and bumps nothing', async () => {
        expect(await store.mergeCarts('guest:s-1', 'user:u-1', 'cart-1', 'sum', 10)).toEqual({
          id: 'cart-1',
          owner: 'user',
          items: [],
          version: 0,
        });
        expect(await store.sessionStats(T0)).toMatchObject({ ended: 0 });
        await openGuest('s-2');
        await store.getOrCreateCart('guest:s-2', 'cart-2');
        expect(await store.mergeCarts('guest:s-2', 'user:u-1', 'cart-3', 'sum', 10)).toMatchObject({
          id: 'cart-1',
          version: 0,
        });
        await refusedAsEnded(store.getOrCreateCart('guest:s-2', 'cart-4'), 's-2');
        expect(await store.sessionStats(T0)).toMatchObject({ ended: 1 });
      });

      it('creates no guest cart for a guest session that is gone, whichever write asks', async () => {
        await refusedAsEnded(store.getOrCreateCart('guest:s-9', 'cart-1'), 's-9');
        await refusedAsEnded(store.addToCart('guest:s-9', 'cart-1', { sku: 'A', quantity: 1 }, 10), 's-9');
        await refusedAsEnded(store.setCartLine('guest:s-9', 'cart-1', { sku: 'A', quantity: 1 }), 's-9');
        await refusedAsEnded(store.removeCartLine('guest:s-9', 'cart-1', 'A'), 's-9');
        await openGuest('s-9');
        expect(await store.getOrCreateCart('guest:s-9', 'cart-2')).toMatchObject({
          id: 'cart-2',
          items: [],
          version: 0,
        });
      });
    });

    describe('wishlists', () => {
      it('adds once (keeping the first time), lists by product, removes, per user', async () => {
        await store.addWishlistItem('u-1', { productId: 'P-2', addedAt: T0 });
        await store.addWishlistItem('u-1', { productId: 'P-1', addedAt: T0 + 1 });
        expect(await store.addWishlistItem('u-1', { productId: 'P-2', addedAt: T0 + 2 })).toEqual([
          { productId: 'P-1', addedAt: T0 + 1 },
          { productId: 'P-2', addedAt: T0 },
        ]);
        expect(await store.getWishlist('u-2')).toEqual([]);
        expect(await store.removeWishlistItem('u-1', 'P-1')).toEqual([{ productId: 'P-2', addedAt: T0 }]);
        expect(await store.removeWishlistItem('u-1', 'P-9')).toEqual([{ productId: 'P-2', addedAt: T0 }]);
        expect(await store.getWishlist('u-1')).toEqual([{ productId: 'P-2', addedAt: T0 }]);
      });
    });

    describe('checkout', () => {
      const request = (overrides: Partial<Parameters<Store['checkout']>[0]> = {}) => ({
        owner: 'user:u-1' as CartOwner,
        userId: 'u-1',
        orderId: 'order-1',
        now: T0,
        idempotencyKey: null,
        fingerprint: 'fp-1',
        ...overrides,
      });

      it('turns the cart into an order and empties it; an empty cart makes none', async () => {
        expect(await store.checkout(request())).toEqual({ kind: 'empty' });
        await store.addToCart('user:u-1', 'cart-1', { sku: 'B', quantity: 2 }, 100);
        await store.addToCart('user:u-1', 'cart-1', { sku: 'A', quantity: 1 }, 100);
        const order = {
          id: 'order-1',
          items: [
            { sku: 'A', quantity: 1 },
            { sku: 'B', quantity: 2 },
          ],
          createdAt: T0,
        };
        expect(await store.checkout(request())).toEqual({ kind: 'created', order });
        expect(await store.getOrCreateCart('user:u-1', 'x')).toEqual({
          id: 'cart-1',
          owner: 'user',
          items: [],
          version: 3,
        });
        expect(await store.checkout(request({ orderId: 'order-2' }))).toEqual({ kind: 'empty' });
        expect(await store.listOrders('u-1')).toEqual([order]);
        expect(await store.listOrders('u-2')).toEqual([]);
      });

      it('replays the first outcome for a repeated key, refuses a different request under it, scopes keys per user', async () => {
        await store.addToCart('user:u-1', 'cart-1', { sku: 'A', quantity: 3 }, 100);
        const first = await store.checkout(request({ idempotencyKey: 'key-1' }));
        expect(first).toMatchObject({ kind: 'created', order: { id: 'order-1' } });
        await store.addToCart('user:u-1', 'cart-1', { sku: 'A', quantity: 1 }, 100);
        expect(await store.checkout(request({ idempotencyKey: 'key-1', orderId: 'order-2' }))).toEqual({
          kind: 'replayed',
          order: first.kind === 'created' ? first.order : null,
        });
        expect(await store.checkout(request({ idempotencyKey: 'key-1', fingerprint: 'fp-2' }))).toEqual({
          kind: 'conflict',
        });
        expect(quantities(await store.getOrCreateCart('user:u-1', 'x'))).toEqual({ A: 1 });

        await store.addToCart('user:u-2', 'cart-2', { sku: 'A', quantity: 5 }, 100);
        const other = await store.checkout(
          request({ owner: 'user:u-2', userId: 'u-2', orderId: 'order-3', idempotencyKey: 'key-1' }),
        );
        expect(other).toMatchObject({ kind: 'created', order: { id: 'order-3', items: [{ sku: 'A', quantity: 5 }] } });
        expect((await store.listOrders('u-1')).map((order) => order.id)).toEqual(['order-1']);
      });

      it('checks out a guest cart into the user’s orders', async () => {
        await openGuest('s-1');
        await store.addToCart('guest:s-1', 'cart-1', { sku: 'A', quantity: 1 }, 100);
        expect(await store.checkout(request({ owner: 'guest:s-1' }))).toMatchObject({ kind: 'created' });
        expect(await store.listOrders('u-1')).toHaveLength(1);
      });
    });

    describe('refresh families', () => {
      it('creates, finds, and moves a family on only from its current generation', async () => {
        await store.createSession('secret-1', userRecord('s-1', 'u-1'));
        await store.createRefreshFamily(family('f-1', 's-1', 'u-1'));
        expect(await store.findRefreshFamily('f-1')).toEqual(family('f-1', 's-1', 'u-1'));
        expect(await store.advanceRefreshFamily('f-1', 1, T0 + 5)).toBe(false);
        expect(await store.advanceRefreshFamily('f-1', 0, T0 + 5)).toBe(true);
        expect(await store.advanceRefreshFamily('f-1', 0, T0 + 6)).toBe(false);
        expect(await store.findRefreshFamily('f-1')).toEqual({
          ...family('f-1', 's-1', 'u-1'),
          generation: 1,
          rotatedAt: T0 + 5,
        });
        expect(await store.advanceRefreshFamily('missing', 0, T0)).toBe(false);
        expect(await store.findRefreshFamily('missing')).toBeNull();
      });
    });

    it('reset empties every record, users and counters included', async () => {
      await store.createUser({ id: 'u-1', email: 'one@example.test', passwordHash: 'h' });
      await store.createSession('secret-1', userRecord('s-1', 'u-1'));
      await store.createRefreshFamily(family('f-1', 's-1', 'u-1'));
      await store.addToCart('user:u-1', 'cart-1', { sku: 'A', quantity: 1 }, 10);
      await store.addWishlistItem('u-1', { productId: 'P', addedAt: T0 });
      await store.checkout({
        owner: 'user:u-1',
        userId: 'u-1',
        orderId: 'o',
        now: T0,
        idempotencyKey: 'k',
        fingerprint: 'f',
      });
      await store.reset();
      expect(await store.findUserByEmail('one@example.test')).toBeNull();
      expect(await store.findSessionBySecret('secret-1')).toBeNull();
      expect(await store.findRefreshFamily('f-1')).toBeNull();
      expect(await store.listUserSessions('u-1')).toEqual([]);
      expect(await store.getWishlist('u-1')).toEqual([]);
      expect(await store.listOrders('u-1')).toEqual([]);
      expect((await store.getOrCreateCart('user:u-1', 'cart-2')).id).toBe('cart-2');
      expect(await store.sessionStats(T0)).toEqual({
        live: 0,
        expiredAwaitingSweep: 0,
        created: 0,
        ended: 0,
        swept: 0,
      });
    });

    describe('concurrency', () => {
      it('1,000 concurrent adds to one line end at exactly 1,000 x q', async () => {
        const adds = Array.from({ length: 1000 }, (_, i) =>
          store.addToCart('user:u-1', `cart-${i}`, { sku: 'HOT', quantity: 3 }, 1_000_000),
        );
        const carts = await Promise.all(adds);
        expect(new Set(carts.map((cart) => cart!.id)).size).toBe(1);
        expect(new Set(carts.map((cart) => cart!.version)).size).toBe(1000);
        expect(await store.getOrCreateCart('user:u-1', 'x')).toMatchObject({
          items: [{ sku: 'HOT', quantity: 3000 }],
          version: 1000,
        });
      });

      it('the line cap holds under concurrent adds', async () => {
        await openGuest('s-1');
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.addToCart('guest:s-1', `cart-${i}`, { sku: 'A', quantity: 3 }, 100),
          ),
        );
        expect(results.filter((cart) => cart !== null)).toHaveLength(33);
        expect(quantities(await store.getOrCreateCart('guest:s-1', 'x'))).toEqual({ A: 99 });
      });

      it('100 concurrent get-or-create calls yield one cart', async () => {
        await openGuest('s-1');
        const carts = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.getOrCreateCart('guest:s-1', `cart-${i}`)),
        );
        expect(new Set(carts.map((cart) => cart.id)).size).toBe(1);
        expect((await store.getOrCreateCart('guest:s-1', 'late')).id).toBe(carts[0]!.id);
      });

      it('a logout racing 50 slow requests leaves the session ended', async () => {
        const record = userRecord('s-race', 'u-1');
        await store.createSession('secret-race', record);
        await store.createRefreshFamily(family('f-race', 's-race', 'u-1'));
        // Fifty requests loaded the session before the logout; their writes land while it runs and after it.
        const loaded = await Promise.all(Array.from({ length: 50 }, () => store.findSessionBySecret('secret-race')));
        const write = async (session: SessionRecord | null, i: number) =>
          i % 3 === 0
            ? store.touchSession('s-race', T0 + 1000 + i)
            : i % 3 === 1
              ? (await store.findSessionBySecretAndTouch('secret-race', T0 + 1000 + i, 0)) !== null
              : store.replaceSession('secret-race', { ...session!, lastSeenAt: T0 + 1000 + i });
        const logout = store.endSession('s-race');
        const during = loaded.slice(0, 25).map(write);
        expect(await logout).toBe(true);
        const after = await Promise.all(loaded.slice(25).map((session, i) => write(session, i + 25)));
        expect(after.every((applied) => applied === false)).toBe(true);
        await Promise.all(during);

        expect(await store.findSession('s-race')).toBeNull();
        expect(await store.findSessionBySecret('secret-race')).toBeNull();
        expect(await store.findRefreshFamily('f-race')).toBeNull();
        expect(await store.listUserSessions('u-1')).toEqual([]);
        expect(await store.sessionStats(T0)).toMatchObject({ live: 0, expiredAwaitingSweep: 0, ended: 1 });
        expect(await sweepCounts(store, T0 + 365 * 24 * 60 * minute, 100)).toEqual({
          sessions: 0,
          carts: 0,
          refreshFamilies: 0,
        });
      });

      it('merge under concurrent adds: every acknowledged unit lands in the user cart once, later guest adds are refused', async () => {
        // Rounds with and without a guest cart before the merge: the first add may be racing to create it.
        for (let round = 0; round < 6; round++) {
          const [guestId, userId] = [`s-merge-${round}`, `u-merge-${round}`];
          const [guest, user]: [CartOwner, CartOwner] = [`guest:${guestId}`, `user:${userId}`];
          const start = round % 2 === 0 ? 5 : 0;
          await openGuest(guestId);
          if (start > 0) await store.addToCart(guest, `${round}-cart-guest`, { sku: 'A', quantity: start }, 1_000_000);
          await store.addToCart(user, `${round}-cart-user`, { sku: 'A', quantity: 7 }, 1_000_000);
          const toUser = Array.from({ length: 50 }, (_, i) =>
            store.addToCart(user, `${round}-u-${i}`, { sku: 'A', quantity: 1 }, 1_000_000),
          );
          const toGuest = Array.from({ length: 50 }, (_, i) =>
            store.addToCart(guest, `${round}-g-${i}`, { sku: 'A', quantity: 1 }, 1_000_000),
          );
          const merge = store.mergeCarts(guest, user, `${round}-unused`, 'sum', 1_000_000);
          const more = Array.from({ length: 50 }, (_, i) =>
            store.addToCart(guest, `${round}-h-${i}`, { sku: 'A', quantity: 1 }, 1_000_000),
          );
          const settled = Promise.allSettled([...toGuest, ...more]);
          await Promise.all([merge, ...toUser]);
          const guestAdds = await settled;

          const refused = guestAdds.filter((outcome) => outcome.status === 'rejected');
          expect(refused.every(({ reason }) => reason instanceof GuestSessionEndedError)).toBe(true);
          const acknowledged = guestAdds.length - refused.length;
          const userCart = await store.getOrCreateCart(user, `${round}-x`);
          expect(userCart.id).toBe(`${round}-cart-user`);
          expect(quantities(userCart), `round ${round}: ${acknowledged} guest adds acknowledged`).toEqual({
            A: start + 7 + 50 + acknowledged,
          });
          await refusedAsEnded(store.getOrCreateCart(guest, `${round}-y`), guestId);
        }
      });

      it('a first guest add racing the merge is merged or refused, never acknowledged and lost', async () => {
        const lost: string[] = [];
        for (let round = 0; round < 100; round++) {
          const [guestId, userId] = [`s-first-${round}`, `u-first-${round}`];
          const [guest, user]: [CartOwner, CartOwner] = [`guest:${guestId}`, `user:${userId}`];
          await openGuest(guestId);
          const addFirst = round % 2 === 0;
          const add = () => store.addToCart(guest, `${round}-guest`, { sku: 'A', quantity: 1 }, 100);
          const merge = () => store.mergeCarts(guest, user, `${round}-user`, 'sum', 100);
          const [added] = await Promise.allSettled(addFirst ? [add(), merge()] : [merge(), add()].reverse());
          if (added!.status === 'rejected') expect(added!.reason).toBeInstanceOf(GuestSessionEndedError);
          const merged = quantities(await store.getOrCreateCart(user, 'x')).A ?? 0;
          if (added!.status === 'fulfilled' && merged !== 1)
            lost.push(`round ${round}: add acknowledged, user cart has ${merged}`);
          await refusedAsEnded(store.getOrCreateCart(guest, 'y'), guestId);
        }
        expect(lost).toEqual([]);
      });

      it('a guest cart never outlives its session: creates and cart reads racing the logout are refused or ended with it', async () => {
        for (let round = 0; round < 5; round++) {
          const id = `s-logout-${round}`;
          await openGuest(id);
          const owner: CartOwner = `guest:${id}`;
          const before = Array.from({ length: 30 }, (_, i) =>
            i % 3 === 0
              ? store.getOrCreateCart(owner, `${round}-c-${i}`)
              : i % 3 === 1
                ? store.addToCart(owner, `${round}-c-${i}`, { sku: 'A', quantity: 1 }, 100)
                : store.findSessionWithCart(`secret-${id}`, T0 + i, 0, `${round}-c-${i}`),
          );
          const logout = store.endSession(id);
          const after = Array.from({ length: 20 }, (_, i) =>
            store.setCartLine(owner, `${round}-d-${i}`, { sku: 'B', quantity: i + 1 }),
          );
          const outcomes = await Promise.allSettled([...before, ...after]);
          expect(await logout).toBe(true);
          for (const outcome of outcomes) {
            if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(GuestSessionEndedError);
          }
          await refusedAsEnded(store.getOrCreateCart(owner, 'probe'), id);
        }
      });

      it('refresh compare-and-swap under 20 concurrent rotations: exactly one wins', async () => {
        await store.createSession('secret-1', userRecord('s-1', 'u-1'));
        await store.createRefreshFamily(family('f-1', 's-1', 'u-1'));
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.advanceRefreshFamily('f-1', 0, T0 + i)),
        );
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        expect(await store.findRefreshFamily('f-1')).toMatchObject({ generation: 1 });
      });

      it('concurrent checkouts with one idempotency key make one order', async () => {
        await store.addToCart('user:u-1', 'cart-1', { sku: 'A', quantity: 2 }, 100);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.checkout({
              owner: 'user:u-1',
              userId: 'u-1',
              orderId: `o-${i}`,
              now: T0,
              idempotencyKey: 'k',
              fingerprint: 'f',
            }),
          ),
        );
        expect(results.filter((result) => result.kind === 'created')).toHaveLength(1);
        expect(results.filter((result) => result.kind === 'replayed')).toHaveLength(19);
        expect(await store.listOrders('u-1')).toHaveLength(1);
      });

      it('sweeping while sessions are touched removes only what expired', async () => {
        for (let i = 0; i < 40; i++) {
          await store.createSession(`secret-${i}`, guestRecord(`s-${i}`, { idleTimeoutMs: 10 * minute }));
        }
        const now = T0 + 10 * minute;
        // Even sessions are kept alive by traffic racing the sweep; the sweep sees each as it is at that instant.
        const touches = Array.from({ length: 20 }, (_, i) => store.touchSession(`s-${2 * i}`, now - 1));
        const sweeps = Array.from({ length: 5 }, () => store.sweep(now, 8));
        const [touched, swept] = await Promise.all([Promise.all(touches), Promise.all(sweeps)]);
        const removed = swept.reduce((sum, batch) => sum + batch.sessions, 0) + (await store.sweep(now, 100)).sessions;
        const survivors = (await Promise.all(Array.from({ length: 40 }, (_, i) => store.findSession(`s-${i}`)))).filter(
          Boolean,
        );
        expect(removed + survivors.length).toBe(40);
        for (const session of survivors) expect(sessionExpiresAt(session!)).toBeGreaterThan(now);
        expect(survivors.length).toBe(touched.filter(Boolean).length);
      });
    });

    describe('behind the reference server', () => {
      it('serves the contract over HTTP: guest cart, login with merge, logout', async () => {
        const server = await createServer({ store, config: { logLevel: 'silent', seedUsers: 2, sweepIntervalMs: 0 } });
        try {
          const url = await server.listen(0, '127.0.0.1');
          const client = new CookieClient(url);
          const guest = await client.request('GET', '/session');
          expect(guest.status).toBe(200);
          expect((await client.request('POST', '/cart/items', { sku: 'SKU-0001', quantity: 2 })).status).toBe(200);
          expect((await client.request('POST', '/cart/items', { sku: 'SKU-0001', quantity: 3 })).body).toMatchObject({
            owner: 'guest',
            items: [{ sku: 'SKU-0001', quantity: 5 }],
          });
          const login = await client.request('POST', '/auth/login', {
            email: 'user1@example.test',
            password: 'sessionproof',
          });
          expect(login.status, JSON.stringify(login.body)).toBe(200);
          expect(login.body.session.id).not.toBe(guest.body.id);
          expect((await client.request('GET', '/cart')).body).toMatchObject({
            owner: 'user',
            items: [{ sku: 'SKU-0001', quantity: 5 }],
          });
          expect((await client.request('GET', '/sessions')).body.sessions).toHaveLength(1);
          expect((await client.request('POST', '/auth/logout')).status).toBe(204);
          const after = await client.request('GET', '/session');
          expect(after.body).toMatchObject({ user: null });
          expect(after.body.id).not.toBe(login.body.session.id);
          expect(await store.findSession(login.body.session.id)).toBeNull();
        } finally {
          await server.close();
        }
      });
    });
  });
}
