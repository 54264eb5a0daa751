import { fail } from '../errors.ts';
import { isSessionLive } from '../stores/store.ts';
import type { AppRouter } from './router.ts';

export function sessionsRoutes(router: AppRouter): void {
  router.get('/sessions/stats', async (ctx) => {
    const { store, clock } = ctx.services;
    ctx.body = await store.sessionStats(clock.now());
  });

  router.get('/sessions', async (ctx) => {
    const { session: current } = ctx.requestSession.requireUser();
    const { store, clock } = ctx.services;
    const now = clock.now();
    const sessions = (await store.listUserSessions(current.userId))
      .filter((record) => isSessionLive(record, now))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map((record) => ({
        id: record.id,
        createdAt: record.createdAt,
        lastSeenAt: record.lastSeenAt,
        current: record.id === current.id,
      }));
    ctx.body = { sessions };
  });

  router.delete('/sessions/:id', async (ctx) => {
    const { session: current } = ctx.requestSession.requireUser();
    const { store, clock } = ctx.services;
    const target = await store.findSession(ctx.params['id'] ?? '');
    if (!target || target.userId !== current.userId || !isSessionLive(target, clock.now())) fail('NOT_FOUND');
    if (ctx.requestSession.cookieNames(target.id)) ctx.requestSession.end();
    else await store.endSession(target.id);
    ctx.status = 204;
  });
}
