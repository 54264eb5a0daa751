import { createTestUsers } from '../users.ts';
import { integerField, objectBody } from '../validate.ts';
import type { SweepBudget } from '../cleanup.ts';
import type { AppRouter } from './router.ts';

const tenYearsMs = 10 * 365 * 24 * 60 * 60 * 1000;

/** Test controls: mounted only when the server runs with `testControls`, never by default. */
export function controlRoutes(router: AppRouter): void {
  router.post('/__control/users', async (ctx) => {
    const { store, config } = ctx.services;
    const count = integerField(objectBody(ctx.request.body), 'count', 1, 10_000);
    ctx.body = { users: await createTestUsers(store, count, config.password, config.passwordCost) };
  });

  router.get('/__control/clock', (ctx) => {
    ctx.body = { now: ctx.services.clock.now() };
  });

  router.post('/__control/clock', (ctx) => {
    const body = objectBody(ctx.request.body);
    const { clock } = ctx.services;
    if (body['thaw'] === true) ctx.body = { now: clock.thaw() };
    else if (body['freezeAt'] !== undefined) {
      // the clock never moves back: a time before now is refused rather than rounded up
      const now = clock.now();
      ctx.body = { now: clock.freeze(integerField(body, 'freezeAt', now, now + tenYearsMs)) };
    } else ctx.body = { now: clock.advance(integerField(body, 'advanceMs', 0, tenYearsMs)) };
  });

  router.post('/__control/sweep', async (ctx) => {
    ctx.body = await ctx.services.sweeper.sweep(budgetOf(objectBody(ctx.request.body)));
  });

  router.post('/__control/reset', async (ctx) => {
    const { store, clock, seedUsers } = ctx.services;
    await store.reset();
    clock.reset();
    await seedUsers();
    ctx.status = 204;
  });
}

/** `{percent, sliceMs}` sweeps with that budget instead of the configured one, so a scenario can compare budgets. */
function budgetOf(body: Record<string, unknown>): SweepBudget | undefined {
  if (body['percent'] === undefined && body['sliceMs'] === undefined) return undefined;
  return { percent: integerField(body, 'percent', 1, 100), sliceMs: integerField(body, 'sliceMs', 1, 1000) };
}
