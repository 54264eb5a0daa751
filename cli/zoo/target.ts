import { createServer, type ReferenceServer } from '../../server/index.ts';
import { openStore } from '../../server/stores/index.ts';
import { MemoryStore } from '../../server/stores/memory.ts';
import type { Store } from '../../server/stores/store.ts';
import { scratchStore } from '../../scenarios/load/scratch-store.ts';
import { urlTarget, type Target } from '../../properties/targets.ts';

export interface ZooTargetOptions {
  /** `memory`, or a Redis or PostgreSQL URL. */
  store: string;
  faults: readonly string[];
  instances: number;
}

/**
 * The reference server for one zoo row, in this process with test controls on. On memory the instances share one
 * MemoryStore; on a URL each instance opens its own connection to a key prefix or schema of the row's own, as
 * separate processes would, and closing the target removes it.
 */
export async function zooTarget(options: ZooTargetOptions): Promise<Target> {
  const scratch = scratchStore(options.store);
  const shared = options.store === 'memory' ? new MemoryStore() : null;
  const stores: Store[] = [];
  const servers: ReferenceServer[] = [];
  const urls: string[] = [];
  const close = async () => {
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all(stores.map((store) => store.close()));
    await scratch.cleanUp();
  };
  try {
    if (shared) stores.push(shared);
    for (let i = 0; i < options.instances; i++) {
      const store = shared ?? (await openStore(scratch.location));
      if (!shared) stores.push(store);
      const server = await createServer({
        store,
        faults: options.faults,
        config: { testControls: true, logLevel: 'silent', passwordCost: 16, sweepIntervalMs: 0 },
      });
      servers.push(server);
      urls.push(await server.listen(0, '127.0.0.1'));
    }
    const faults = options.faults.length > 0 ? `, fault ${options.faults.join('+')}` : '';
    return await urlTarget(urls, {
      label: `in-process (${scratch.kind}, ${urls.length} instance${urls.length > 1 ? 's' : ''}${faults})`,
      onClose: close,
    });
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
