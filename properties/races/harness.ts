import type Koa from 'koa';
import { createClock, type Clock } from '../../server/clock.ts';
import { GuestSessionEndedError } from '../../server/errors.ts';
import { createServer, type ReferenceServer } from '../../server/index.ts';
import { MemoryStore } from '../../server/stores/memory.ts';
import type { Cart, Store } from '../../server/stores/store.ts';
import { ContractClient, type Reply } from '../../adapters/contract-client.ts';
import { History } from '../../adapters/history.ts';
import type { Credentials } from '../targets.ts';
import { RaceGate } from './gate.ts';
import { scheduledStore } from './scheduled-store.ts';

export interface RaceServerOptions {
  /**
   * Builds the store under the scheduler from the gate; a test passes a deliberately broken store here, which may
   * add yield points of its own with `gate.pause`.
   */
  store?: (gate: RaceGate) => Store;
}

/**
 * Two reference-server instances on loopback sharing one store whose calls the gate schedules, and one clock (so a
 * race can step past the refresh grace window on both at once). Racing requests alternate between the instances.
 */
export class RaceServers {
  private constructor(
    readonly gate: RaceGate,
    readonly clock: Clock,
    readonly urls: string[],
    readonly servers: ReferenceServer[],
    readonly store: Store,
  ) {}

  static async start(options: RaceServerOptions = {}): Promise<RaceServers> {
    const gate = new RaceGate();
    const clock = createClock();
    const inner = options.store?.(gate) ?? new MemoryStore();
    const store = scheduledStore(inner, gate);
    const servers: ReferenceServer[] = [];
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const server = await createServer({
        store,
        clock,
        config: { testControls: true, logLevel: 'silent', passwordCost: 16, sweepIntervalMs: 0 },
      });
      server.app.middleware.unshift(gate.middleware as Koa.Middleware);
      servers.push(server);
      urls.push(await server.listen(0, '127.0.0.1'));
    }
    return new RaceServers(gate, clock, urls, servers, store);
  }

  /** A client with an empty jar; `instance` pins it to one server, else its requests alternate. */
  client(name: string, history: History, instance?: number): ContractClient {
    let next = 0;
    return new ContractClient(name, () => this.urls[instance ?? next++ % this.urls.length]!, history);
  }

  /** Fresh accounts with no sessions and empty carts. */
  async accounts(count: number, history: History): Promise<Credentials[]> {
    const reply = await this.client('setup', history).request('POST', '/__control/users', {
      body: { count },
      via: 'none',
    });
    if (reply.status !== 200) throw new Error(`POST /__control/users answered ${reply.status}`);
    return reply.body.users as Credentials[];
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close()));
    await this.store.close();
  }
}

/** Signs a client in by password (from its cookie session, if any), keeping its cookie, CSRF and tokens. */
export async function login(
  client: ContractClient,
  account: Credentials,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const reply = await client.request('POST', '/auth/login', { body: account, headers });
  if (reply.status === 200) adopt(client, reply.body);
  return reply;
}

/** Takes the tokens of a login or refresh answer. */
function adopt(client: ContractClient, body: any): void {
  if (typeof body?.session?.csrfToken === 'string') client.csrfToken = body.session.csrfToken;
  if (typeof body?.accessToken === 'string') client.accessToken = body.accessToken;
  if (typeof body?.refreshToken === 'string') client.refreshTokens.push(body.refreshToken);
}

/** Opens a guest session for a client with an empty jar and takes its CSRF token. */
export async function openGuestSession(client: ContractClient): Promise<string> {
  const reply = await client.request('GET', '/session');
  if (reply.status !== 200) throw new Error(`GET /session answered ${reply.status}`);
  client.csrfToken = reply.body.csrfToken;
  return reply.body.id as string;
}

export class RaceViolation extends Error {
  override name = 'RaceViolation';
}

export function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RaceViolation(message);
}

export type Lines = Record<string, number>;

export function linesOf(body: any): Lines {
  return Object.fromEntries(
    ((body?.items ?? []) as { sku: string; quantity: number }[]).map((line) => [line.sku, line.quantity]),
  );
}

export function show(reply: Reply): string {
  return `${reply.status} ${JSON.stringify(reply.body)?.slice(0, 300)}`;
}

/**
 * The guest cart still stored for a guest session that should have ended, or null when there is none: the store
 * refuses to create one for the ended session, or (should the session live on) creates a fresh, empty probe.
 */
export async function leftoverGuestCart(store: Store, guestId: string): Promise<Cart | null> {
  try {
    const probe = await store.getOrCreateCart(`guest:${guestId}`, 'probe');
    return probe.id === 'probe' ? null : probe;
  } catch (error) {
    if (error instanceof GuestSessionEndedError) return null;
    throw error;
  }
}
