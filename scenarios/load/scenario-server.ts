import type { ServerConfig } from '../../server/config.ts';
import { createServer } from '../../server/index.ts';
import { openStore } from '../../server/stores/index.ts';
import { serveInChild } from './child-server.ts';

/**
 * The reference server a load scenario runs against, in its own process (see child-server.ts): test controls on,
 * logging at warn, the background sweeper off (the scenario sweeps when it means to), on the given store with the
 * given faults. Its one argument is a JSON `ScenarioServerSpec`.
 */
export interface ScenarioServerSpec {
  store: string;
  faults: string[];
  config: Partial<ServerConfig>;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ScenarioServerSpec;
const store = await openStore(spec.store);
const server = await createServer({
  config: { logLevel: 'warn', ...spec.config, testControls: true, sweepIntervalMs: 0 },
  store,
  faults: spec.faults,
});

await serveInChild({
  listen: () => server.listen(0, '127.0.0.1'),
  async close() {
    await server.close();
    await store.close();
  },
});
