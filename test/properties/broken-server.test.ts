/**
 * Each property family must be able to fail: here each runs against a reference server broken on purpose in one
 * way (a store decorator or a swapped middleware, kept in this file only) and must report the failure, with a
 * replay that reproduces it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Koa from 'koa';
import { afterEach, describe, expect, test } from 'vitest';
import { anotherCart } from '../../server/faults/racy-cart-create.ts';
import { MemoryStore } from '../../server/stores/memory.ts';
import {
  findSessionThenCart,
  findThenTouchSession,
  type Cart,
  type CartLine,
  type CartOwner,
  type RefreshFamily,
  type SessionRecord,
  type SessionWithCart,
  type SweepResult,
} from '../../server/stores/store.ts';
import { cleanup } from '../../properties/families/cleanup.ts';
import { csrfBinding } from '../../properties/families/csrf-binding.ts';
import { invalidation } from '../../properties/families/invalidation.ts';
import { isolation } from '../../properties/families/isolation.ts';
import { mergeCorrectness } from '../../properties/families/merge-correctness.ts';
import { noDuplicateCarts } from '../../properties/families/no-duplicate-carts.ts';
import { noLostUpdates } from '../../properties/families/no-lost-updates.ts';
import { population } from '../../properties/families/population.ts';
import { refreshRotation } from '../../properties/families/refresh-rotation.ts';
import { rotationOnLogin } from '../../properties/families/rotation-on-login.ts';
import { sessionIdStability } from '../../properties/families/session-id-stability.ts';
import { strictMode } from '../../properties/families/strict-mode.ts';
import type { PropertyDefinition } from '../../properties/property.ts';
import { formatFailure } from '../../properties/report.ts';
import { runProperty } from '../../properties/runner.ts';
import { inProcessTarget, type InProcessOptions, type Target } from '../../properties/targets.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A memory store whose fused calls run as their steps (find, touch, get the cart) through the overridable methods,
 * so a subclass that changes how sessions are found or carts are got changes every path that does so.
 */
class SteppedStore extends MemoryStore {
  override findSessionBySecretAndTouch(
    secret: string,
    now: number,
    touchWindowMs: number,
  ): Promise<SessionRecord | null> {
    return findThenTouchSession(this, secret, now, touchWindowMs);
  }

  override findSessionWithCart(
    secret: string,
    now: number,
    touchWindowMs: number,
    newCartId: string,
  ): Promise<SessionWithCart | null> {
    return findSessionThenCart(this, secret, now, touchWindowMs, newCartId);
  }
}

/** Never finds a session by its cookie secret, so every request mints a new session id. */
class ForgetfulStore extends SteppedStore {
  override async findSessionBySecret(): Promise<SessionRecord | null> {
    return null;
  }
}

/** Ending a session does nothing: logout and login rotation leave the old cookie working. */
class UndyingStore extends SteppedStore {
  override async endSession(): Promise<boolean> {
    return true;
  }
}

/** Adds by read, await, write: concurrent adds overwrite each other. */
class LosingStore extends SteppedStore {
  override async addToCart(owner: CartOwner, newCartId: string, line: CartLine): Promise<Cart | null> {
    const cart = await this.getOrCreateCart(owner, newCartId);
    await tick();
    const current = cart.items.find((item) => item.sku === line.sku)?.quantity ?? 0;
    return this.setCartLine(owner, newCartId, { sku: line.sku, quantity: current + line.quantity });
  }
}

/** Get-or-create as look, await, create: racing first writes each make a cart of their own. */
class RacyCartStore extends SteppedStore {
  readonly #cartOf = new Map<CartOwner, CartOwner>();

  async #owner(owner: CartOwner): Promise<CartOwner> {
    if (!this.#cartOf.has(owner)) {
      await tick();
      this.#cartOf.set(owner, await anotherCart(this, owner));
    }
    return this.#cartOf.get(owner)!;
  }

  override async getOrCreateCart(owner: CartOwner, newCartId: string): Promise<Cart> {
    return super.getOrCreateCart(await this.#owner(owner), newCartId);
  }

  override async addToCart(owner: CartOwner, newCartId: string, line: CartLine, max: number): Promise<Cart | null> {
    return super.addToCart(await this.#owner(owner), newCartId, line, max);
  }
}

/** Login switches to the user cart without merging: guest items vanish. */
class DroppingMergeStore extends SteppedStore {
  override async mergeCarts(_guest: CartOwner, user: CartOwner, newCartId: string): Promise<Cart> {
    return this.getOrCreateCart(user, newCartId);
  }
}

/** Holds "the current cart owner" in one field across an await, as module-scope session state does. */
class LeakyStore extends SteppedStore {
  #current: CartOwner | null = null;

  override async getOrCreateCart(owner: CartOwner, newCartId: string): Promise<Cart> {
    this.#current = owner;
    await tick();
    return super.getOrCreateCart(this.#current, newCartId);
  }

  override async addToCart(owner: CartOwner, newCartId: string, line: CartLine, max: number): Promise<Cart | null> {
    this.#current = owner;
    await tick();
    return super.addToCart(this.#current, newCartId, line, max);
  }
}

/**
 * Permissive session ids: the first request presenting a cookie value the server does not know gets a session, and
 * every later request presenting that same value (on any instance) is handed the same session, as if adopted.
 */
function adoptMadeUpCookies(): InProcessOptions {
  const adopted = new Map<string, string>();
  return {
    adapt: (server) => {
      server.app.middleware.unshift(async (ctx: Koa.Context, next: Koa.Next) => {
        const presented = ctx.get('cookie');
        const replacement = presented ? adopted.get(presented) : undefined;
        if (replacement) ctx.request.headers.cookie = replacement;
        await next();
        const set = ctx.response.headers['set-cookie'] as string[] | undefined;
        if (presented && !replacement && set) adopted.set(presented, set.map((line) => line.split(';')[0]).join('; '));
      });
    },
  };
}

/** The session cookie taken without its signature: the server supplies the signature it once issued for the value. */
function acceptUnsignedCookies(): InProcessOptions {
  const signatures = new Map<string, string>();
  return {
    adapt: (server) => {
      server.app.middleware.unshift(async (ctx: Koa.Context, next: Koa.Next) => {
        const presented = ctx.get('cookie');
        const value = /(?:^|; )sp\.sid=([^;]+)/.exec(presented)?.[1];
        const signature = value === undefined ? undefined : signatures.get(value);
        if (signature && !presented.includes('sp.sid.sig='))
          ctx.request.headers.cookie = `${presented}; sp.sid.sig=${signature}`;
        await next();
        const set = (ctx.response.headers['set-cookie'] as string[] | undefined) ?? [];
        const issued = set.map((line) => line.split(';')[0]!);
        const sid = issued.find((pair) => pair.startsWith('sp.sid='))?.slice('sp.sid='.length);
        const sig = issued.find((pair) => pair.startsWith('sp.sid.sig='))?.slice('sp.sid.sig='.length);
        if (sid && sig) signatures.set(sid, sig);
      });
    },
  };
}

/**
 * CSRF checked against every token the server ever issued instead of the session's own: the store hands out each
 * session with the token the request presents, whenever that token was ever issued to anyone.
 */
class UnboundCsrfStore extends SteppedStore {
  readonly presented = new AsyncLocalStorage<string>();
  readonly #issued = new Set<string>();

  override async createSession(secret: string, record: SessionRecord): Promise<void> {
    this.#issued.add(record.csrfToken);
    return super.createSession(secret, record);
  }

  override async findSessionBySecret(secret: string): Promise<SessionRecord | null> {
    const record = await super.findSessionBySecret(secret);
    const token = this.presented.getStore();
    return record && token !== undefined && this.#issued.has(token) ? { ...record, csrfToken: token } : record;
  }
}

function csrfNotBound(): InProcessOptions {
  const store = new UnboundCsrfStore();
  return {
    store: () => store,
    adapt: (server) => {
      server.app.middleware.unshift((ctx: Koa.Context, next: Koa.Next) =>
        store.presented.run(ctx.get('x-csrf-token'), next),
      );
    },
  };
}

const tenYearsMs = 10 * 365 * 24 * 3_600_000;

/** Reports every session with an idle timeout of ten years: inactivity never ends a session. */
class NoIdleTimeoutStore extends SteppedStore {
  override async findSession(id: string): Promise<SessionRecord | null> {
    const record = await super.findSession(id);
    return record && { ...record, idleTimeoutMs: tenYearsMs };
  }

  override async findSessionBySecret(secret: string): Promise<SessionRecord | null> {
    const record = await super.findSessionBySecret(secret);
    return record && { ...record, idleTimeoutMs: tenYearsMs };
  }
}

/** Reports every session without an absolute expiry: a busy session lives forever. */
class NoAbsoluteTimeoutStore extends SteppedStore {
  override async findSession(id: string): Promise<SessionRecord | null> {
    const record = await super.findSession(id);
    return record && { ...record, absoluteExpiresAt: null };
  }

  override async findSessionBySecret(secret: string): Promise<SessionRecord | null> {
    const record = await super.findSessionBySecret(secret);
    return record && { ...record, absoluteExpiresAt: null };
  }
}

/** Reports every family as rotated long ago: no grace window, so parallel refreshes look like reuse. */
class NoGraceStore extends MemoryStore {
  override async findRefreshFamily(id: string): Promise<RefreshFamily | null> {
    const family = await super.findRefreshFamily(id);
    return family && { ...family, rotatedAt: 0 };
  }
}

/** Ending one session ends every session of its user. */
class EndsEverySessionStore extends MemoryStore {
  override async endSession(id: string): Promise<boolean> {
    const record = await this.findSession(id);
    if (record?.userId) return (await this.endUserSessions(record.userId)) > 0;
    return super.endSession(id);
  }
}

/** A sweep that removes nothing. */
class IdleSweeperStore extends MemoryStore {
  override async sweep(): Promise<SweepResult> {
    return { sessions: 0, carts: 0, refreshFamilies: 0 };
  }
}

/** A sweep that looks twenty minutes ahead, removing sessions that are still live. */
class EagerSweeperStore extends MemoryStore {
  override async sweep(now: number, limit: number): Promise<SweepResult> {
    return super.sweep(now + 20 * 60_000, limit);
  }
}

/** Each batch removes at most half of what it may, and so reports a short batch: the pass ends with sessions left due. */
class ShortBatchSweeperStore extends MemoryStore {
  override async sweep(now: number, limit: number): Promise<SweepResult> {
    return super.sweep(now, Math.max(1, Math.floor(limit / 2)));
  }
}

/** Keeps only the 500 newest sessions, ending older ones as new ones arrive: a cache that evicts under pressure. */
class EvictingStore extends MemoryStore {
  readonly #order: string[] = [];

  override async createSession(secret: string, record: SessionRecord): Promise<void> {
    await super.createSession(secret, record);
    this.#order.push(record.id);
    while (this.#order.length > 500) await this.endSession(this.#order.shift()!);
  }
}

interface Case {
  family: PropertyDefinition;
  broken: string;
  server: () => InProcessOptions;
}

const cases: Case[] = [
  {
    family: sessionIdStability,
    broken: 'a store that never finds a session by its secret',
    server: () => ({ store: () => new ForgetfulStore() }),
  },
  { family: strictMode, broken: 'a server that adopts made-up cookie values', server: adoptMadeUpCookies },
  { family: strictMode, broken: 'a server that takes its session cookie unsigned', server: acceptUnsignedCookies },
  {
    family: rotationOnLogin,
    broken: 'a store that ignores endSession',
    server: () => ({ store: () => new UndyingStore() }),
  },
  {
    family: noLostUpdates,
    broken: 'a store whose add is read-await-write',
    server: () => ({ store: () => new LosingStore() }),
  },
  {
    family: noDuplicateCarts,
    broken: 'a store whose get-or-create cart races',
    server: () => ({ store: () => new RacyCartStore() }),
  },
  {
    family: mergeCorrectness,
    broken: 'a store whose merge drops the guest cart',
    server: () => ({ store: () => new DroppingMergeStore() }),
  },
  {
    family: isolation,
    broken: 'a store that keeps the current owner across an await',
    server: () => ({ store: () => new LeakyStore() }),
  },
  { family: csrfBinding, broken: 'CSRF accepted from any issued token', server: csrfNotBound },
  {
    family: invalidation,
    broken: 'a store that ignores endSession',
    server: () => ({ store: () => new UndyingStore() }),
  },
  { family: invalidation, broken: 'no idle timeout', server: () => ({ store: () => new NoIdleTimeoutStore() }) },
  {
    family: invalidation,
    broken: 'no absolute timeout',
    server: () => ({ store: () => new NoAbsoluteTimeoutStore() }),
  },
  { family: refreshRotation, broken: 'no grace window', server: () => ({ store: () => new NoGraceStore() }) },
  {
    family: refreshRotation,
    broken: "ending one session ends all the user's sessions",
    server: () => ({ store: () => new EndsEverySessionStore() }),
  },
  {
    family: cleanup,
    broken: 'a sweeper that removes nothing',
    server: () => ({ store: () => new IdleSweeperStore() }),
  },
  {
    family: cleanup,
    broken: 'a sweeper that removes live sessions',
    server: () => ({ store: () => new EagerSweeperStore() }),
  },
  {
    family: cleanup,
    broken: 'a sweeper whose pass ends with expired sessions left',
    server: () => ({ store: () => new ShortBatchSweeperStore() }),
  },
  {
    family: population,
    broken: 'a store that evicts all but the newest 500 sessions',
    server: () => ({ store: () => new EvictingStore() }),
  },
];

describe('every property family fails on a server broken its way', () => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  for (const { family, broken, server } of cases) {
    test(`${family.name} fails on ${broken}`, { timeout: 120_000 }, async () => {
      target = await inProcessTarget(server());
      const result = await runProperty(family, target, { runs: 1000 });
      expect(result.verdict, `${family.name} passed on ${broken}`).toBe('failed');
      const failure = result.failure!;
      expect(failure.exchanges.length).toBeGreaterThan(0);
      expect(formatFailure(result, 'URL')).toContain(
        `sessionproof props --target URL --only ${family.name} --seed=${failure.seed} --path ${failure.path}`,
      );
      expect(formatFailure(result, 'URL')).toContain(`broken guarantee: ${family.holds}`);

      const replayed = await runProperty(family, target, {
        runs: 1,
        seed: failure.seed,
        path: failure.path,
        ...(failure.replayPath ? { replayPath: failure.replayPath } : {}),
      });
      expect(replayed.verdict).toBe('failed');
      expect(replayed.failure!.commands).toBe(failure.commands);
    });
  }
});
