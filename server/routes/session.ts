import type { AppRouter } from './router.ts';
import { sessionView } from '../views.ts';

export function sessionRoutes(router: AppRouter): void {
  router.get('/session', async (ctx) => {
    const { session } = await ctx.requestSession.ensure();
    const user = session.userId === null ? null : await ctx.services.store.findUser(session.userId);
    ctx.body = sessionView(session, user);
  });
}
