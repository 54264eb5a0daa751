import { createServer } from '../../../server/index.ts';
import { openStore } from '../../../server/stores/index.ts';
import { serveInChild } from '../../load/child-server.ts';

/** The reference server as deployed: test controls off, logging at warn (the level a loaded production runs at). */
const [storeLocation = 'memory'] = process.argv.slice(2);
const store = await openStore(storeLocation);
const server = await createServer({ config: { logLevel: 'warn', testControls: false }, store });

await serveInChild({
  listen: () => server.listen(0, '127.0.0.1'),
  async close() {
    await server.close();
    await store.close();
  },
});
