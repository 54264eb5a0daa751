import type { ServerConfig } from '../server/config.ts';
import { startChildServer } from './load/child-server.ts';
import type { ScenarioServerSpec } from './load/scenario-server.ts';
import { scratchStore } from './load/scratch-store.ts';
import type { ScenarioServer } from './scenario.ts';

export interface StartedServer extends ScenarioServer {
  /** Stops the child and removes what the run wrote to a shared store. */
  stop(): Promise<void>;
}

/**
 * The reference server in a child process (so the load generator and the server never share an event loop), on
 * `store` with `faults`, started with `--expose-gc` so memory figures are taken after a full collection.
 */
export async function startReferenceServer(options: {
  store: string;
  faults: string[];
  config?: Partial<ServerConfig>;
  /** CPUs the server process keeps to (cpu-pinning.ts). */
  cpus?: readonly number[];
}): Promise<StartedServer> {
  const scratch = scratchStore(options.store);
  const spec: ScenarioServerSpec = { store: scratch.location, faults: options.faults, config: options.config ?? {} };
  let child;
  try {
    child = await startChildServer({
      module: new URL('./load/scenario-server.ts', import.meta.url),
      args: [JSON.stringify(spec)],
      nodeArgs: ['--expose-gc'],
      ...(options.cpus ? { cpus: options.cpus } : {}),
    });
  } catch (error) {
    await scratch.cleanUp().catch(() => undefined);
    throw error;
  }
  return {
    url: child.url,
    store: scratch.kind,
    memory: () => child.memoryUsage(),
    usage: () => child.usage(),
    async stop() {
      try {
        await child.stop();
      } finally {
        await scratch.cleanUp();
      }
    },
  };
}

/** A user's server. Load only ever goes to this machine: 127.0.0.1 or ::1, nothing else. */
export function externalServer(target: string): StartedServer {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new TargetRefused(`--target "${target}" is not a URL (e.g. http://127.0.0.1:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TargetRefused(`--target must be http:// or https://, got ${url.protocol}`);
  if (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]') {
    throw new TargetRefused(
      `refusing --target ${url.hostname}: load scenarios only ever send load to this machine's loopback (127.0.0.1 or [::1])`,
    );
  }
  return {
    url: url.origin,
    store: 'external',
    memory: async () => null,
    usage: async () => null,
    stop: async () => {},
  };
}

export class TargetRefused extends Error {}
