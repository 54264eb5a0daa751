import type { AppRouter } from './router.ts';

/** Discovery, liveness and metrics: served before the session layer, so they work when the store does not. */
export function metaRoutes(router: AppRouter): void {
  router.get('/.well-known/sessionproof', (ctx) => {
    const { config } = ctx.services;
    const controls = config.testControls;
    ctx.body = {
      contract: 1,
      features: { refresh: true, csrf: true, wishlist: true, orders: true },
      controls: { clock: controls, freeze: controls, sweep: controls, users: controls, reset: controls },
      limits: {
        maxAddQuantity: config.maxAddQuantity,
        maxLineQuantity: config.maxLineQuantity,
        bodyLimitBytes: config.bodyLimitBytes,
      },
      timeouts: {
        idleMs: config.idleTimeoutMs,
        absoluteMs: config.absoluteTimeoutMs,
        guestIdleMs: config.guestIdleTimeoutMs,
        accessTokenMs: config.accessTokenMs,
        refreshGraceMs: config.refreshGraceMs,
        touchWindowMs: config.touchWindowMs,
      },
      mergeStrategy: config.mergeStrategy,
      skus: config.skus,
    };
  });

  router.get('/health', async (ctx) => {
    const { store } = ctx.services;
    try {
      await store.ping();
      ctx.body = { status: 'ok', store: { kind: store.kind, reachable: true } };
    } catch (error) {
      ctx.status = 503;
      ctx.body = {
        status: 'unavailable',
        store: { kind: store.kind, reachable: false, error: error instanceof Error ? error.message : String(error) },
      };
    }
  });

  router.get('/metrics', async (ctx) => {
    const { registry } = ctx.services.metrics;
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
}
