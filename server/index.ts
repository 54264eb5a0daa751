import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp, type App } from './app.ts';
import { createSweeper } from './cleanup.ts';
import { createClock, type Clock } from './clock.ts';
import { resolveConfig, type ServerConfig } from './config.ts';
import type { Services } from './context.ts';
import { createLogger } from './logging.ts';
import { applyFaults } from './faults/index.ts';
import { createMetrics } from './metrics.ts';
import { cleanParts } from './parts.ts';
import { MemoryStore } from './stores/memory.ts';
import type { Store } from './stores/store.ts';
import { TokenService } from './tokens.ts';
import { seedUsers } from './users.ts';

export interface ServerOptions {
  config?: Partial<ServerConfig>;
  /** A store shared with other instances; the caller closes it. Without one the server owns a memory store. */
  store?: Store;
  clock?: Clock;
  logger?: Logger;
  /** Catalogued faults to switch on (server/faults), applied in order. */
  faults?: readonly string[];
}

export interface ReferenceServer {
  app: App;
  services: Services;
  /** Starts an HTTP listener; port 0 picks a free one. Resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, stops the sweeper, closes an owned store. */
  close(): Promise<void>;
}

export async function createServer(options: ServerOptions = {}): Promise<ReferenceServer> {
  const config = resolveConfig(options.config);
  const ownStore = options.store ?? new MemoryStore();
  const clock = options.clock ?? createClock();
  const parts = applyFaults(options.faults ?? [], cleanParts(ownStore), { clock, config });
  const { store } = parts;
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics(store, clock);
  const sweeper = createSweeper({
    store,
    clock,
    intervalMs: config.sweepIntervalMs,
    batchSize: config.sweepBatchSize,
    budget: { sliceMs: config.sweepSliceMs, percent: config.sweepBudgetPercent },
    logger,
    swept: metrics.swept,
  });
  const services: Services = {
    config,
    store,
    clock,
    logger,
    metrics,
    sweeper,
    tokens: new TokenService(config.jwtSecret, config.accessTokenMs, clock),
    skus: new Set(config.skus),
    seedUsers: () => seedUsers(store, config.seedUsers, config.password, config.passwordCost),
    lifecycle: parts.lifecycle,
    refreshPolicy: parts.refreshPolicy,
  };
  await services.seedUsers();
  const app = createApp(services, parts);
  sweeper.start();
  const listeners: Server[] = [];

  return {
    app,
    services,
    async listen(port = 0, host = '127.0.0.1') {
      const server = createHttpServer(app.callback());
      server.keepAliveTimeout = 65_000;
      listeners.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const hostText = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${hostText}:${address.port}`;
    },
    async close() {
      await Promise.all(
        listeners.map(
          (server) =>
            new Promise<void>((resolve) => {
              // A keep-alive connection goes idle when its in-flight request finishes; close it then rather than
              // waiting out keepAliveTimeout. Polling keeps the request path free of shutdown checks.
              const closeIdle = setInterval(() => server.closeIdleConnections(), 20);
              server.close(() => {
                clearInterval(closeIdle);
                resolve();
              });
              server.closeIdleConnections();
            }),
        ),
      );
      await sweeper.stop();
      metrics.registry.clear();
      if (!options.store) await ownStore.close();
    },
  };
}
