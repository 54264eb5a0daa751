import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { storeOptions } from '../../cli/bench.ts';
import { benchPlan, PlanError } from '../../scenarios/bench/plan.ts';

const env = { REDIS_URL: 'redis://redis.test:6380', DATABASE_URL: 'postgres://u@db/x' };
const local = { redis: 'redis://127.0.0.1:6379', postgres: 'postgres://postgres@127.0.0.1:5432/test' };

describe('sessionproof bench --store and --peers', () => {
  it('adds nothing for memory, and takes a store name from the environment, else the local service', () => {
    expect(storeOptions([], false, env)).toEqual({ peers: false });
    expect(storeOptions(['memory'], false, env)).toEqual({ peers: false });
    expect(storeOptions(['redis'], false, env)).toEqual({ peers: false, redis: env.REDIS_URL });
    expect(storeOptions(['postgres'], false, env)).toEqual({ peers: false, postgres: env.DATABASE_URL });
    expect(storeOptions(['redis', 'postgresql'], false, {})).toEqual({ peers: false, ...local });
  });

  it('takes a URL as given', () => {
    expect(storeOptions(['redis://h:1/2', 'postgres://p@h/d'], false, env)).toEqual({
      peers: false,
      redis: 'redis://h:1/2',
      postgres: 'postgres://p@h/d',
    });
  });

  it('makes all and --peers the peer comparison on both stores; --peers with one store adds Redis only', () => {
    expect(storeOptions(['all'], false, {})).toEqual({ peers: true, ...local });
    expect(storeOptions([], true, {})).toEqual({ peers: true, ...local });
    expect(storeOptions(['postgres'], true, {})).toEqual({ peers: true, ...local });
    expect(storeOptions(['redis'], true, {})).toEqual({ peers: true, redis: local.redis });
  });

  it('refuses anything else', () => {
    expect(() => storeOptions(['mongodb://x'], false, {})).toThrow(UsageError);
    expect(() => benchPlan({ peers: true })).toThrow(PlanError);
  });

  it('plans the peers and the reference server on each store, each store server under its own scratch location', () => {
    const plan = benchPlan({ ...local, peers: true });
    expect(plan.stores).toEqual(['memory', 'redis', 'postgres']);
    expect(plan.targets.map((t) => t.id)).toEqual([
      'bare-node',
      'koa-session',
      'koa-session-redis',
      'express-session-redis',
      'koa-session-postgres',
      ...['memory', 'redis', 'postgres'].flatMap((store) =>
        ['GET /session', 'GET /cart', 'POST /cart/items'].map((w) => `reference-${store} ${w}`),
      ),
    ]);
    const locations = plan.targets.flatMap((t) => t.server.args ?? []).filter((a) => a !== 'memory');
    expect(new Set(locations).size).toBe(5);
    for (const location of locations) expect(location).toMatch(/[?&](prefix=sp-load-|schema=sp_load_)/);
  });

  it('holds the reference server to the same goals on every store, each over koa-session on that store', () => {
    const plan = benchPlan({ ...local, peers: true });
    expect(plan.goals.map((g) => `${g.target} / ${g.baseline} >= ${g.minimumRatio}`)).toEqual(
      [
        ['memory', 'koa-session'],
        ['redis', 'koa-session-redis'],
        ['postgres', 'koa-session-postgres'],
      ].flatMap(([store, peer]) => [
        `reference-${store} GET /session / ${peer} >= 1`,
        `reference-${store} GET /cart / ${peer} >= 1`,
        `reference-${store} POST /cart/items / ${peer} >= 0.8`,
      ]),
    );
  });
});
