import { readFile } from 'node:fs/promises';
import { createServer, type ReferenceServer } from '../server/index.ts';
import type { ServerConfig } from '../server/config.ts';
import { MemoryStore } from '../server/stores/memory.ts';
import type { Store } from '../server/stores/store.ts';
import type { Adapter } from '../adapters/adapter.ts';
import { ContractClient, type Reply } from '../adapters/contract-client.ts';
import { contractV1 } from '../adapters/contract-v1.ts';
import { referenceSemantics, type Semantics, type Timeouts } from '../adapters/semantics.ts';
import type { Account } from '../adapters/types.ts';
import { History } from '../adapters/history.ts';
import { fetchFailure, TargetError } from './target-error.ts';

/** What `GET /.well-known/sessionproof` told us; the optional parts are extensions the reference server sends. */
export interface Discovery {
  contract: number;
  features: { refresh: boolean; csrf: boolean; wishlist: boolean; orders: boolean };
  controls: { clock: boolean; sweep: boolean; users: boolean; reset: boolean };
  timeouts?: Partial<Timeouts>;
  limits?: { maxAddQuantity?: number; maxLineQuantity?: number };
  mergeStrategy?: string;
  skus?: string[];
}

export type { Timeouts };

/** Accounts a run signs in with. */
export type Credentials = Account;

export type Requirement =
  `feature:${keyof Discovery['features']}` | `control:${keyof Discovery['controls']}` | 'accounts';

/**
 * A server (or several instances sharing one store) the properties run against. Requests of a run spread across
 * the instances round-robin; clock advances go to every instance, since each process keeps its own clock.
 */
export interface Target {
  readonly label: string;
  readonly urls: string[];
  readonly discovery: Discovery;
  /** How operations reach the target, and what it declares about itself. */
  readonly adapter: Adapter;
  /** The target's requirements that are missing, so a property can say "not applicable" and why. */
  missing(requirements: Requirement[]): Requirement[];
  /** A round-robin URL picker for one run. */
  router(): () => string;
  /** Accounts with no sessions and empty carts, for one run. */
  accounts(count: number, history: History): Promise<Credentials[]>;
  /** Sends a control request: to every instance when `broadcast`, else to the first. Returns the first reply. */
  control(history: History, method: string, path: string, body?: unknown, broadcast?: boolean): Promise<Reply>;
  close(): Promise<void>;
}

async function discover(url: string): Promise<Discovery> {
  const tried = 'GET /.well-known/sessionproof';
  let response: Response;
  try {
    response = await fetch(`${url}/.well-known/sessionproof`, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const { reason, hint } = fetchFailure(error);
    throw new TargetError(`cannot reach ${url} (${tried}: ${reason}): ${hint}`);
  }
  const notContract = (what: string) =>
    new TargetError(
      `${url} does not speak sessionproof contract v1 (${tried} ${what}): is it the base URL of a server that does?`,
    );
  if (response.status !== 200) throw notContract(`answered ${response.status}`);
  const document = (await response.json().catch(() => null)) as Discovery | null;
  if (document === null || typeof document !== 'object') throw notContract('answered with no JSON document');
  if (document.contract !== 1) throw notContract(`says contract ${String(document.contract)}`);
  return document;
}

export interface UrlTargetOptions {
  /** Accounts to use when the target has no users control; each run signs them out everywhere and empties their carts. */
  accounts?: Credentials[];
  label?: string;
  onClose?: () => Promise<void>;
}

/** One URL, or several URLs of instances that share a store. */
export async function urlTarget(urls: string[], options: UrlTargetOptions = {}): Promise<Target> {
  if (urls.length === 0) throw new TargetError('a target needs at least one URL');
  const bases = urls.map((url) => url.replace(/\/+$/, ''));
  const documents = await Promise.all(bases.map(discover));
  const discovery = documents[0]!;
  const controlClients = (history: History) =>
    bases.map((base, i) => new ContractClient(`control@${i}`, () => base, history));
  const supplied = options.accounts ?? [];

  const target: Target = {
    label: options.label ?? bases.join(','),
    urls: bases,
    discovery,
    adapter: contractV1(semanticsOf(discovery)),
    missing(requirements) {
      return requirements.filter((requirement) => {
        if (requirement === 'accounts') return !discovery.controls.users && supplied.length === 0;
        const [kind, name] = requirement.split(':') as ['feature' | 'control', string];
        // every instance must offer it, or the instances would not behave alike
        const offers = (document: Discovery): Record<string, boolean> =>
          kind === 'feature' ? document.features : document.controls;
        return !documents.every((document) => offers(document)[name] === true);
      });
    },
    router() {
      let next = 0;
      return () => bases[next++ % bases.length]!;
    },
    async accounts(count, history) {
      if (discovery.controls.users) {
        const reply = await target.control(history, 'POST', '/__control/users', { count });
        if (reply.status !== 200 || !Array.isArray(reply.body?.users) || reply.body.users.length !== count) {
          throw new Error(`POST /__control/users answered ${reply.status}`);
        }
        return reply.body.users as Credentials[];
      }
      if (supplied.length < count) throw new Error(`need ${count} accounts, --accounts gave ${supplied.length}`);
      const chosen = supplied.slice(0, count);
      for (const account of chosen) await resetAccount(account, bases[0]!, history);
      return chosen;
    },
    async control(history, method, path, body, broadcast = false) {
      const clients = controlClients(history);
      const replies = await Promise.all(
        (broadcast ? clients : clients.slice(0, 1)).map((client) =>
          client.request(method, path, { body, via: 'none' }),
        ),
      );
      return replies[0]!;
    },
    close: options.onClose ?? (async () => {}),
  };
  return target;
}

/** What a contract-v1 server's discovery document declares, over the reference server's defaults. */
export function semanticsOf(discovery: Discovery): Semantics {
  const strategy = discovery.mergeStrategy;
  return {
    ...referenceSemantics,
    loginCart: strategy === 'max' || strategy === 'replace' || strategy === 'keep-user' ? strategy : 'sum',
    maxLineQuantity: discovery.limits?.maxLineQuantity ?? referenceSemantics.maxLineQuantity,
    timeouts: { ...referenceSemantics.timeouts, ...discovery.timeouts },
    skus: discovery.skus ?? referenceSemantics.skus,
    csrf: discovery.features.csrf,
  };
}

/** Brings a supplied account to the state a run starts from: no live sessions, an empty cart. */
async function resetAccount(account: Credentials, base: string, history: History): Promise<void> {
  const client = new ContractClient(`setup:${account.email}`, () => base, history);
  const login = await client.request('POST', '/auth/login', { body: account, via: 'none' });
  if (login.status !== 200) throw new Error(`login of ${account.email} answered ${login.status}`);
  client.accessToken = login.body.accessToken;
  const cart = await client.request('GET', '/cart', { via: 'bearer' });
  for (const line of (cart.body?.items ?? []) as { sku: string }[]) {
    await client.request('DELETE', `/cart/items/${encodeURIComponent(line.sku)}`, { via: 'bearer' });
  }
  const out = await client.request('POST', '/auth/logout-all', { via: 'bearer' });
  if (out.status !== 204) throw new Error(`logout-all of ${account.email} answered ${out.status}`);
}

export interface InProcessOptions {
  /**
   * How many app instances share the one store, each with its own clock like separate processes (default 2, so
   * every property also sees whether the instances agree).
   */
  instances?: number;
  config?: Partial<ServerConfig>;
  /** Catalogued faults (server/faults) to switch every instance into. */
  faults?: readonly string[];
  /** Builds the shared store; a test passes a decorated store here to break the server on purpose. */
  store?: () => Store;
  /** Changes an instance after it is built (for example, puts a middleware in front), for broken-server tests. */
  adapt?: (server: ReferenceServer) => void;
}

/** The reference server on the memory store with test controls, on ephemeral loopback ports. */
export async function inProcessTarget(options: InProcessOptions = {}): Promise<Target> {
  const store = options.store?.() ?? new MemoryStore();
  const servers: ReferenceServer[] = [];
  const urls: string[] = [];
  for (let i = 0; i < (options.instances ?? 2); i++) {
    const server = await createServer({
      store,
      ...(options.faults ? { faults: options.faults } : {}),
      config: { testControls: true, logLevel: 'silent', passwordCost: 16, sweepIntervalMs: 0, ...options.config },
    });
    options.adapt?.(server);
    servers.push(server);
    urls.push(await server.listen(0, '127.0.0.1'));
  }
  return urlTarget(urls, {
    label: `in-process (memory${urls.length > 1 ? `, ${urls.length} instances` : ''})`,
    onClose: async () => {
      await Promise.all(servers.map((server) => server.close()));
      await store.close();
    },
  });
}

export async function readAccounts(file: string): Promise<Credentials[]> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
  if (
    !Array.isArray(parsed) ||
    !parsed.every((item) => typeof item?.email === 'string' && typeof item?.password === 'string')
  ) {
    throw new Error(`${file} must hold a JSON list of {"email", "password"}`);
  }
  return parsed as Credentials[];
}

/**
 * The target the environment asks for: `SESSIONPROOF_TARGET=url[,url]` (with `SESSIONPROOF_ACCOUNTS=file`), else the
 * in-process reference server.
 */
export async function targetFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const spec = env.SESSIONPROOF_TARGET?.trim();
  if (!spec) return inProcessTarget();
  const accounts = env.SESSIONPROOF_ACCOUNTS ? await readAccounts(env.SESSIONPROOF_ACCOUNTS) : undefined;
  return urlTarget(spec.split(',').filter(Boolean), accounts ? { accounts } : {});
}
