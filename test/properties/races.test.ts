/**
 * The in-process races (properties/races): on the clean reference server every interleaving the scheduler picks
 * must hold, across many seeds; on a store broken on purpose (kept in this file only) in a way that only some
 * interleavings expose, the scheduler must find one and report it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GuestSessionEndedError } from '../../server/errors.ts';
import { decorateStore } from '../../server/faults/decorate-store.ts';
import { anotherCart } from '../../server/faults/racy-cart-create.ts';
import { MemoryStore } from '../../server/stores/memory.ts';
import { cartOwnerKind, guestSessionOf, type Cart, type CartOwner, type Store } from '../../server/stores/store.ts';
import { cartRace } from '../../properties/races/cart-race.ts';
import { guestDuringLogin } from '../../properties/races/guest-during-login.ts';
import type { RaceGate } from '../../properties/races/gate.ts';
import { RaceServers } from '../../properties/races/harness.ts';
import { races } from '../../properties/races/index.ts';
import { mergeRace } from '../../properties/races/merge-race.ts';
import type { RaceDefinition } from '../../properties/races/race.ts';
import { formatRaceFailure } from '../../properties/races/report.ts';
import { refreshRace } from '../../properties/races/refresh-race.ts';

const runs = Number(process.env.SESSIONPROOF_RACE_RUNS ?? 100);

/** Get-or-create as read, await, insert: racing first requests of an owner each insert a cart of their own. */
function racyGetOrCreate(gate: RaceGate): Store {
  const inner = new MemoryStore();
  const cartOf = new Map<CartOwner, CartOwner>();
  async function locate(owner: CartOwner): Promise<CartOwner> {
    if (!cartOf.has(owner)) {
      await gate.pause('insert cart');
      cartOf.set(owner, await anotherCart(inner, owner));
    }
    return cartOf.get(owner)!;
  }
  return decorateStore(inner, {
    getOrCreateCart: async (owner, newCartId) => inner.getOrCreateCart(await locate(owner), newCartId),
    addToCart: async (owner, newCartId, line, max) => inner.addToCart(await locate(owner), newCartId, line, max),
  });
}

/** A guest-cart call's result, or null when a racing login has already ended that guest session. */
async function unlessEnded<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof GuestSessionEndedError) return null;
    throw error;
  }
}

/**
 * Merge as read-modify-write across awaits: reads both carts, writes the summed lines, then drops the guest cart. A
 * user-cart add landing between the read and the write is overwritten, and a racing second login merges again.
 */
function readModifyWriteMerge(gate: RaceGate): Store {
  const inner = new MemoryStore();
  return decorateStore(inner, {
    mergeCarts: async (guest, user, newCartId, strategy, max) => {
      const source = await unlessEnded(inner.getOrCreateCart(guest, newCartId));
      const target = await inner.getOrCreateCart(user, newCartId);
      await gate.pause('write merged lines');
      for (const { sku, quantity } of source?.items ?? []) {
        const held = target.items.find((line) => line.sku === sku)?.quantity ?? 0;
        await inner.setCartLine(user, newCartId, { sku, quantity: Math.min(held + quantity, max) });
      }
      await gate.pause('drop guest cart');
      for (const { sku } of source?.items ?? []) await unlessEnded(inner.removeCartLine(guest, newCartId, sku));
      // the guest cart is empty now, so this only deletes it
      return inner.mergeCarts(guest, user, newCartId, strategy, max);
    },
  });
}

/** Refresh-family rotation without compare-and-swap: checks the generation, then increments whatever is stored. */
function blindRotation(gate: RaceGate): Store {
  const inner = new MemoryStore();
  return decorateStore(inner, {
    advanceRefreshFamily: async (id, fromGeneration, rotatedAt) => {
      const family = await inner.findRefreshFamily(id);
      if (!family || family.generation !== fromGeneration) return false;
      await gate.pause('write generation');
      const now = await inner.findRefreshFamily(id);
      return now !== null && inner.advanceRefreshFamily(id, now.generation, rotatedAt);
    },
  });
}

describe('races on the clean reference server', () => {
  let servers: RaceServers;
  beforeAll(async () => {
    servers = await RaceServers.start();
  });
  afterAll(async () => {
    await servers?.close();
  });

  for (const race of races) {
    test(`${race.name}: ${runs} interleavings hold`, { timeout: 120_000 }, async () => {
      const details = await fc.check(race.property(servers), { numRuns: runs });
      if (details.failed) throw new Error(formatRaceFailure(race.name, details));
      expect(details.numRuns).toBe(runs);
    });
  }
});

/**
 * Guest carts as the store kept them before guest-cart writes were tied to their session: no write checks the guest
 * session, and the merge leaves that session for the login to end afterwards. The carts live under keys no session
 * guards, so a tab's add that lands after the merge recreates a guest cart nobody will read.
 */
function unguardedGuestCarts(): Store {
  const inner = new MemoryStore();
  const unguarded = (owner: CartOwner): CartOwner =>
    guestSessionOf(owner) === null ? owner : `user:unguarded-${owner}`;
  const shownAs = (owner: CartOwner, cart: Cart): Cart => ({ ...cart, owner: cartOwnerKind(owner) });
  return decorateStore(inner, {
    getOrCreateCart: async (owner, newCartId) =>
      shownAs(owner, await inner.getOrCreateCart(unguarded(owner), newCartId)),
    addToCart: async (owner, newCartId, line, max) => {
      const cart = await inner.addToCart(unguarded(owner), newCartId, line, max);
      return cart && shownAs(owner, cart);
    },
    mergeCarts: (guest, user, newCartId, strategy, max) =>
      inner.mergeCarts(unguarded(guest), user, newCartId, strategy, max),
  });
}

describe('races on stores broken on purpose', () => {
  const broken: [RaceDefinition, (gate: RaceGate) => Store, RegExp][] = [
    [cartRace, racyGetOrCreate, /carts|cart ends at|shows/],
    [mergeRace, readModifyWriteMerge, /user cart ends at/],
    [guestDuringLogin, unguardedGuestCarts, /outlives the login|was acknowledged/],
    [refreshRace, blindRotation, /REFRESH_TOKEN_REUSED|REFRESH_TOKEN_INVALID|successor no longer refreshes/],
  ];
  for (const [race, store, symptom] of broken) {
    test(`${race.name} finds the interleaving that breaks ${store.name}`, { timeout: 120_000 }, async () => {
      const servers = await RaceServers.start({ store });
      try {
        const details = await fc.check(race.property(servers), { numRuns: runs });
        expect(details.failed, `${store.name} passed ${details.numRuns} runs`).toBe(true);
        const report = formatRaceFailure(race.name, details);
        expect(report).toMatch(symptom);
        // the report carries the scheduler's order of store calls, and the seed and path replay it
        expect(report).toMatch(/schedulerFor\(\)/);
        const replay = await fc.check(race.property(servers), {
          seed: details.seed,
          path: details.counterexamplePath!,
          numRuns: 1,
        });
        expect(replay.failed).toBe(true);
      } finally {
        await servers.close();
      }
    });
  }
});
