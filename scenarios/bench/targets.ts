import type { LoadRequest } from '../load/autocannon-run.ts';
import { establishClients } from '../load/autocannon-run.ts';
import { CookieJar } from '../../adapters/cookie-jar.ts';

/** A server the bench starts in a child process. Targets naming the same server id share one child. */
export interface ServerSpec {
  id: string;
  module: URL;
  args?: string[];
}

/** What a target is to the comparison: the calibration, a baseline to beat, or a workload of the server under test. */
export type TargetRole = 'calibration' | 'baseline' | 'read' | 'write';

export interface PreparedClients {
  /** The request sequence of each connection. */
  requests: LoadRequest[][];
  /** Called once every target is prepared and warmed up, just before the first measurement. */
  beforeMeasuring?(): Promise<void>;
  /** After the run: whether every client still holds the identity it started with; a description of what broke. */
  check(): Promise<string | null>;
}

export interface BenchTarget {
  id: string;
  label: string;
  role: TargetRole;
  server: ServerSpec;
  /** Id of the peer library target this one is compared with (the koa-session baseline on the same store). */
  peer?: string;
  /** Establishes one client per connection over HTTP (cookie, CSRF token) before anything is measured. */
  prepare(baseUrl: string, connections: number): Promise<PreparedClients>;
}

/** The reference server on a store: `memory`, or a store URL `openStore` accepts. */
export function referenceServer(storeName: string, storeLocation = storeName): ServerSpec {
  return {
    id: `reference-${storeName}`,
    module: new URL('./targets/reference.ts', import.meta.url),
    args: [storeLocation],
  };
}

/** koa-session on an external store in its own process: `memory`, or a redis:// or postgres:// location. */
export function koaSessionServer(storeName: string, storeLocation = storeName): ServerSpec {
  const id = storeName === 'memory' ? 'koa-session' : `koa-session-${storeName}`;
  return { id, module: new URL('./targets/koa-session.ts', import.meta.url), args: [storeLocation] };
}

/** express-session with connect-redis in its own process. */
export function expressSessionServer(redisLocation: string): ServerSpec {
  return {
    id: 'express-session-redis',
    module: new URL('./targets/express-session.ts', import.meta.url),
    args: [redisLocation],
  };
}

export const servers = {
  bareNode: { id: 'bare-node', module: new URL('./targets/bare-node.ts', import.meta.url) },
  koaSession: koaSessionServer('memory'),
  reference: referenceServer('memory'),
} satisfies Record<string, ServerSpec>;

/** One browser-like client: its first request, and the cookie header and JSON body it got back. */
async function firstRequest(url: string): Promise<{ cookie: string; body: Record<string, unknown> }> {
  const jar = new CookieJar();
  const response = await fetch(url);
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${JSON.stringify(body)}`);
  jar.store(response.headers.getSetCookie());
  const cookie = jar.header();
  if (cookie === undefined) throw new Error(`GET ${url} set no cookie`);
  return { cookie, body };
}

async function checkEach<T>(clients: T[], problemOf: (client: T) => Promise<string | null>): Promise<string | null> {
  const problems = (await establishClients(clients.length, (i) => problemOf(clients[i]!))).filter((p) => p !== null);
  return problems.length === 0 ? null : `${problems.length} of ${clients.length} clients: ${problems[0]}`;
}

export const bareNode: BenchTarget = {
  id: 'bare-node',
  label: 'bare node:http JSON',
  role: 'calibration',
  server: servers.bareNode,
  async prepare(_baseUrl, connections) {
    return {
      requests: Array.from({ length: connections }, () => [{ method: 'GET', path: '/' }]),
      check: async () => null,
    };
  },
};

/**
 * A peer library's counter app (koa-session, express-session): every request reads the session, counts, and saves
 * it. The target's id is its server's.
 */
export function counterTarget(server: ServerSpec, label: string): BenchTarget {
  return {
    id: server.id,
    label,
    role: 'baseline',
    server,
    async prepare(baseUrl, connections) {
      const clients = await establishClients(connections, () => firstRequest(`${baseUrl}/`));
      return {
        requests: clients.map(({ cookie }) => [{ method: 'GET', path: '/', headers: { cookie } }]),
        // A client that kept its session has counted far past its first request.
        check: () =>
          checkEach(clients, async ({ cookie }) => {
            const response = await fetch(`${baseUrl}/`, { headers: { cookie } });
            const { count } = (await response.json()) as { count: number };
            return count > 2 ? null : `session count is ${count} after the run: the cookie was not kept`;
          }),
      };
    },
  };
}

export const koaSession = counterTarget(servers.koaSession, 'koa + koa-session (memory store) counter');

interface ReferenceClient {
  cookie: string;
  csrfToken: string;
  sessionId: string;
}

/**
 * Reference-server clients: each holds a guest session cookie and its CSRF token, and keeps them. A read without a
 * live cookie still answers 200 (with a fresh guest session), so status codes cannot show that cookies were kept.
 * The check does: no session may be created while the load runs, and each client's cookie must still name its
 * session afterwards. `verify` adds what else the workload should have left behind.
 */
function referenceTarget(
  server: ServerSpec,
  peer: string | undefined,
  id: string,
  role: TargetRole,
  request: (client: ReferenceClient) => LoadRequest,
  verify: (baseUrl: string, client: ReferenceClient) => Promise<string | null> = async () => null,
): BenchTarget {
  return {
    id: `${server.id} ${id}`,
    label: `${server.id} ${id}`,
    role,
    server,
    peer,
    async prepare(baseUrl, connections) {
      const clients = await establishClients(connections, async () => {
        const { cookie, body } = await firstRequest(`${baseUrl}/session`);
        return { cookie, csrfToken: String(body['csrfToken']), sessionId: String(body['id']) };
      });
      let createdBefore = 0;
      return {
        requests: clients.map((client) => [request(client)]),
        async beforeMeasuring() {
          createdBefore = await sessionsCreated(baseUrl);
        },
        async check() {
          const created = (await sessionsCreated(baseUrl)) - createdBefore;
          if (created > 0)
            return `${created} sessions were created during the run: requests did not carry their cookies`;
          return checkEach(clients, async (client) => {
            const response = await fetch(`${baseUrl}/session`, { headers: { cookie: client.cookie } });
            const { id: seen } = (await response.json()) as { id: string };
            if (seen !== client.sessionId)
              return `session id changed from ${client.sessionId} to ${seen}: the session was lost`;
            return verify(baseUrl, client);
          });
        },
      };
    },
  };
}

async function sessionsCreated(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/sessions/stats`);
  if (!response.ok) throw new Error(`GET /sessions/stats answered ${response.status}`);
  return ((await response.json()) as { created: number }).created;
}

const benchSku = 'SKU-0001';

/**
 * The reference server's workloads on one server: session read, cart read, cart add. `peer` is the id of the peer
 * library target on the same store, which the table and the goals compare them with.
 */
export function referenceTargets(
  server: ServerSpec,
  peer?: string,
): [session: BenchTarget, cart: BenchTarget, cartAdd: BenchTarget] {
  return [
    referenceTarget(server, peer, 'GET /session', 'read', ({ cookie }) => ({
      method: 'GET',
      path: '/session',
      headers: { cookie },
    })),
    referenceTarget(server, peer, 'GET /cart', 'read', ({ cookie }) => ({
      method: 'GET',
      path: '/cart',
      headers: { cookie },
    })),
    referenceTarget(
      server,
      peer,
      'POST /cart/items',
      'write',
      ({ cookie, csrfToken }) => ({
        method: 'POST',
        path: '/cart/items',
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ sku: benchSku, quantity: 1 }),
      }),
      async (baseUrl, { cookie }) => {
        const response = await fetch(`${baseUrl}/cart`, { headers: { cookie } });
        const { items } = (await response.json()) as { items: { sku: string; quantity: number }[] };
        const quantity = items.find((item) => item.sku === benchSku)?.quantity ?? 0;
        return quantity > 1
          ? null
          : `the cart holds ${quantity} of ${benchSku} after the run: the adds did not reach it`;
      },
    ),
  ];
}

export const [referenceSession, referenceCart, referenceCartAdd] = referenceTargets(servers.reference, koaSession.id);

/** The targets of issue 2, in the order they run: calibration and baseline first, then the reference server. */
export const defaultTargets: BenchTarget[] = [bareNode, koaSession, referenceSession, referenceCart, referenceCartAdd];

/** The comparisons the bench holds the reference server to, each a ratio measured in the same run. */
export interface BenchGoal {
  target: string;
  baseline: string;
  minimumRatio: number;
}

/**
 * The goals on one store (issue 13): reads at least as fast as the koa-session baseline on the same store, and cart
 * adds, which write a cart row where koa-session writes its session blob, at least 0.8 of it.
 */
export function referenceGoals(
  [session, cart, cartAdd]: [session: BenchTarget, cart: BenchTarget, cartAdd: BenchTarget],
  baseline: string,
): BenchGoal[] {
  return [
    { target: session.id, baseline, minimumRatio: 1.0 },
    { target: cart.id, baseline, minimumRatio: 1.0 },
    { target: cartAdd.id, baseline, minimumRatio: 0.8 },
  ];
}

export const defaultGoals: BenchGoal[] = referenceGoals(
  [referenceSession, referenceCart, referenceCartAdd],
  koaSession.id,
);
