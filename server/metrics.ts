import type Koa from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Clock } from './clock.ts';
import type { AppContext } from './context.ts';
import type { Store } from './stores/store.ts';

export interface Metrics {
  registry: Registry;
  swept: Counter<'kind'>;
  middleware: (ctx: AppContext, next: Koa.Next) => Promise<void>;
}

/** One registry per app, so several servers in one process (tests, several instances) keep separate counts. */
export function createMetrics(store: Store, clock: Clock): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'sessionproof_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'sessionproof_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const swept = new Counter({
    name: 'sessionproof_swept_total',
    help: 'Records removed by the sweeper',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'sessionproof_sessions',
    help: 'Sessions in the store by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const stats = await store.sessionStats(clock.now());
      this.set({ state: 'live' }, stats.live);
      this.set({ state: 'expired_awaiting_sweep' }, stats.expiredAwaitingSweep);
    },
  });

  async function measure(ctx: AppContext, next: Koa.Next): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      requests.inc({ method: ctx.method, route, status: String(ctx.status) });
      duration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
  return { registry, swept, middleware: measure };
}

declare module 'koa' {
  interface BaseContext {
    _matchedRoute?: string | RegExp;
  }
}
