import { readFile } from 'node:fs/promises';
import { createServer, type ReferenceServer } from '../server/index.ts';
import type { ServerConfig } from '../server/config.ts';
import { MemoryStore } from '../server/stores/memory.ts';
import { openStore } from '../server/stores/index.ts';
import type { Store } from '../server/stores/store.ts';
import type { Adapter } from '../adapters/adapter.ts';
import { randomBytes } from 'node:crypto';
import { ContractClient, type Reply } from '../adapters/contract-client.ts';
import { offers, perform } from '../adapters/engine.ts';
import { VirtualUser } from '../adapters/virtual-user.ts';
import { contractV1 } from '../adapters/contract-v1.ts';
import { referenceSemantics, type RefusedSku, type Semantics, type Timeouts } from '../adapters/semantics.ts';
import type { Account, OperationName } from '../adapters/types.ts';
import { History } from '../adapters/history.ts';
import { realTimeSlackMs } from './model.ts';
import { loadAdapter } from '../adapters/load.ts';
import { fetchFailure, TargetError } from '../adapters/target-error.ts';

/** What `GET /.well-known/sessionproof` told us; the optional parts are extensions the reference server sends. */
export interface Discovery {
  contract: number;
  features: { refresh: boolean; csrf: boolean; wishlist: boolean; orders: boolean };
  /** `freeze`: the clock control can also stand the clock still between advances (`{"freezeAt"}`, `{"thaw"}`). */
  controls: { clock: boolean; freeze?: boolean; sweep: boolean; users: boolean; reset: boolean };
  timeouts?: Partial<Timeouts>;
  limits?: { maxAddQuantity?: number; maxLineQuantity?: number };
  mergeStrategy?: string;
  skus?: string[];
}

export type { Timeouts };

/** Accounts a run signs in with. */
export type Credentials = Account;

type Controls = Discovery['controls'];

/**
 * What a property needs of a target: an operation of its adapter, a contract-v1 test control, accounts to sign in
 * with (`fresh-accounts`: new ones every run, through the users control or the register operation), a clock (the
 * clock control, or timeouts short enough to wait for in real time), or a declared semantic (CSRF tokens, guest carts,
 * a session cookie, a new session at login).
 */
export type Requirement =
  | `op:${OperationName}`
  | `control:${keyof Controls}`
  | 'clock'
  | 'accounts'
  | 'fresh-accounts'
  | 'csrf'
  | 'guest-carts'
  | 'cookies'
  | 'rotates-on-login';

/** A requirement as a reader of a report understands it. */
export function describeRequirement(requirement: Requirement): string {
  if (requirement.startsWith('op:')) return `a ${requirement.slice(3)} operation`;
  if (requirement.startsWith('control:')) return `a ${requirement.slice(8)} test control`;
  const words: Record<string, string> = {
    clock: 'a clock (a clock test control, or declared timeouts short enough for the real-time budget)',
    accounts: 'accounts (a register operation, the users test control, or --accounts)',
    'fresh-accounts': 'new accounts for every run (a register operation or the users test control)',
    csrf: 'CSRF tokens (declared csrf: false)',
    'guest-carts': 'guest carts (declared guestCarts: false)',
    cookies: 'a session cookie (identity is not cookie-based)',
    'rotates-on-login': 'a new session at login (declared rotatesOnLogin: false)',
  };
  return words[requirement]!;
}

/**
 * A server (or several instances sharing one store) the properties run against. Requests of a run spread across
 * the instances round-robin; clock advances go to every instance, since each process keeps its own clock.
 */
export interface Target {
  readonly label: string;
  readonly urls: string[];
  /** The contract-v1 discovery document, where the target serves one: its test controls are named there. */
  readonly discovery: Discovery | null;
  /** How operations reach the target, and what it declares about itself. */
  readonly adapter: Adapter;
  /**
   * Without a clock control, the wall-clock milliseconds each property may spend waiting for timeouts to pass
   * (0: time-based properties are not applicable).
   */
  readonly realTimeBudgetMs: number;
  /** The target's requirements that are missing, so a property can say "not applicable" and why. */
  missing(requirements: Requirement[]): Requirement[];
  /** A round-robin URL picker for one run. */
  router(): () => string;
  /** Accounts with no sessions and empty carts, for one run. */
  accounts(count: number, history: History): Promise<Credentials[]>;
  /** Sends a control request: to every instance when `broadcast`, else to the first. Returns the first refusal, or the first reply. */
  control(history: History, method: string, path: string, body?: unknown, broadcast?: boolean): Promise<Reply>;
  close(): Promise<void>;
}

const discoveryPath = '/.well-known/sessionproof';

async function fetchDiscovery(url: string): Promise<Response> {
  try {
    return await fetch(`${url}${discoveryPath}`, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const { reason, hint } = fetchFailure(error);
    throw new TargetError(`cannot reach ${url} (GET ${discoveryPath}: ${reason}): ${hint}`);
  }
}

async function discover(url: string): Promise<Discovery> {
  const tried = `GET ${discoveryPath}`;
  const response = await fetchDiscovery(url);
  const notContract = (what: string) =>
    new TargetError(
      `${url} does not speak sessionproof contract v1 (${tried} ${what}): is it the base URL of a server that does? For any other app, pass --adapter FILE (docs/adapters.md)`,
    );
  if (response.status !== 200) throw notContract(`answered ${response.status}`);
  const document = (await response.json().catch(() => null)) as Discovery | null;
  if (document === null || typeof document !== 'object') throw notContract('answered with no JSON document');
  if (document.contract !== 1) throw notContract(`says contract ${String(document.contract)}`);
  return document;
}

/** An adapted app may also serve contract v1's discovery and test controls; most do not, and that is fine. */
async function discoverIfServed(url: string): Promise<Discovery | null> {
  const response = await fetchDiscovery(url);
  const document = response.status === 200 ? ((await response.json().catch(() => null)) as Discovery | null) : null;
  await response.body?.cancel().catch(() => {});
  return document !== null && typeof document === 'object' && document.contract === 1 ? document : null;
}

export interface UrlTargetOptions {
  /** Accounts to use when the target has no users control; each run signs them out everywhere and empties their carts. */
  accounts?: Credentials[];
  /** How to reach an app that does not speak contract v1. */
  adapter?: Adapter;
  /** Without a clock control, how long each property may wait for timeouts in real time (default 0: it may not). */
  realTimeBudgetMs?: number;
  label?: string;
  onClose?: () => Promise<void>;
}

/** One URL, or several URLs of instances that share a store. */
export async function urlTarget(urls: string[], options: UrlTargetOptions = {}): Promise<Target> {
  if (urls.length === 0) throw new TargetError('a target needs at least one URL');
  const bases = urls.map((url) => url.replace(/\/+$/, ''));
  const documents = await Promise.all(bases.map(options.adapter ? discoverIfServed : discover));
  const discovery = documents[0] ?? null;
  const adapter = options.adapter ?? contractV1(semanticsOf(discovery!), discovery!.features);
  const controlClients = (history: History) =>
    bases.map((base, i) => new ContractClient(`control@${i}`, () => base, history));
  const supplied = options.accounts ?? [];
  // every instance must offer a control, or the instances would not behave alike
  const hasControl = (name: keyof Controls) => documents.every((document) => document?.controls[name] === true);
  const registers = offers(adapter, 'register');
  const { semantics } = adapter;
  const realTimeBudgetMs = options.realTimeBudgetMs ?? 0;
  const { idleMs, guestIdleMs, accessTokenMs } = semantics.timeouts;
  // worth waiting for only when one timeout, and the margin past it, fits in the budget
  const waitable = Math.min(idleMs, guestIdleMs, accessTokenMs) + 2 * realTimeSlackMs <= realTimeBudgetMs;

  const target: Target = {
    label: options.label ?? `${bases.join(',')}${options.adapter ? ` (adapter ${adapter.name})` : ''}`,
    urls: bases,
    discovery,
    adapter,
    realTimeBudgetMs,
    missing(requirements) {
      return requirements.filter((requirement) => {
        if (requirement.startsWith('op:')) return !offers(adapter, requirement.slice(3) as OperationName);
        if (requirement.startsWith('control:')) return !hasControl(requirement.slice(8) as keyof Controls);
        switch (requirement) {
          case 'clock':
            return !hasControl('clock') && !waitable;
          case 'accounts':
            return !hasControl('users') && !registers && supplied.length === 0;
          case 'fresh-accounts':
            return !hasControl('users') && !registers;
          case 'csrf':
            return !semantics.csrf;
          case 'guest-carts':
            return !semantics.guestCarts;
          case 'cookies':
            return semantics.identity !== 'cookie' && semantics.identity !== 'cookie+bearer';
          default:
            return !semantics.rotatesOnLogin;
        }
      });
    },
    router() {
      let next = 0;
      return () => bases[next++ % bases.length]!;
    },
    async accounts(count, history) {
      if (hasControl('users')) {
        const reply = await target.control(history, 'POST', '/__control/users', { count });
        if (reply.status !== 200 || !Array.isArray(reply.body?.users) || reply.body.users.length !== count) {
          throw new Error(`POST /__control/users answered ${reply.status}`);
        }
        return reply.body.users as Credentials[];
      }
      if (registers) return registerAccounts(adapter, bases[0]!, count, history);
      if (supplied.length < count) throw new Error(`need ${count} accounts, --accounts gave ${supplied.length}`);
      const chosen = supplied.slice(0, count);
      for (const account of chosen) await resetAccount(adapter, account, bases[0]!, history);
      return chosen;
    },
    async control(history, method, path, body, broadcast = false) {
      const clients = controlClients(history);
      const replies = await Promise.all(
        (broadcast ? clients : clients.slice(0, 1)).map((client) =>
          client.request(method, path, { body, via: 'none' }),
        ),
      );
      // of a broadcast, an instance that refused is the answer that matters
      return replies.find((reply) => reply.status >= 300) ?? replies[0]!;
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
    maxAddQuantity: discovery.limits?.maxAddQuantity ?? referenceSemantics.maxAddQuantity,
    timeouts: { ...referenceSemantics.timeouts, ...discovery.timeouts },
    skus: discovery.skus ?? referenceSemantics.skus,
    refusedSkus: refusedSkusOf(discovery.skus),
    // contract v1: an add past the line limit is 409 CART_LINE_LIMIT
    pastLineLimit: 'refused',
    // contract v1: `sp.sid` is signed by `sp.sid.sig`, and counts as no cookie without it
    signedSessionCookie: 'sp.sid',
    csrf: discovery.features.csrf,
  };
}

/**
 * The SKUs a contract-v1 server must refuse: a malformed one always, and a well-formed one it does not sell where
 * discovery lists the catalogue (without the list, no well-formed SKU is surely unsold).
 */
function refusedSkusOf(catalogue: string[] | undefined): RefusedSku[] {
  // contract v1: a malformed SKU is 400 VALIDATION_FAILED, a well-formed one outside the catalogue 404 UNKNOWN_SKU;
  // this one is well formed at both ends, so a pattern that lost either anchor takes it
  const malformed: RefusedSku[] = [{ sku: 'not a sku', outcome: 'invalid' }];
  if (!catalogue) return malformed;
  const sold = new Set(catalogue);
  let unsold = 'SKU-9999';
  for (let n = 0; sold.has(unsold); n++) unsold = `UNSOLD-${n}`;
  return [...malformed, { sku: unsold, outcome: 'not-found' }];
}

/** New accounts through the adapter's register operation, with names no earlier run used. */
async function registerAccounts(adapter: Adapter, base: string, count: number, history: History): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let i = 0; i < count; i++) {
    const tag = randomBytes(6).toString('hex');
    const account = { email: `sp-${tag}@example.test`, password: `sp-${randomBytes(9).toString('hex')}` };
    const user = new VirtualUser(`setup:register`, () => base, history, adapter.headers);
    const result = await perform(user, adapter, 'register', account);
    if (result.outcome !== 'ok')
      throw new TargetError(`register ${account.email} answered ${result.status} (${result.outcome})`);
    accounts.push(result.value ?? account);
  }
  return accounts;
}

/** Brings a supplied account to the state a run starts from: no live sessions, an empty cart. */
async function resetAccount(adapter: Adapter, account: Account, base: string, history: History): Promise<void> {
  const user = new VirtualUser(`setup:${account.email}`, () => base, history, adapter.headers);
  const via = adapter.semantics.identity === 'bearer' ? 'bearer' : 'cookie';
  const login = await perform(user, adapter, 'login', account);
  if (login.outcome !== 'ok') throw new TargetError(`login of ${account.email} answered ${login.status}`);
  if (offers(adapter, 'getCart') && offers(adapter, 'removeItem')) {
    const cart = await perform(user, adapter, 'getCart', {}, { via });
    for (const line of cart.value?.items ?? []) await perform(user, adapter, 'removeItem', { sku: line.sku }, { via });
  }
  const out = await perform(user, adapter, offers(adapter, 'logoutAll') ? 'logoutAll' : 'logout', {}, { via });
  if (out.outcome !== 'ok') throw new TargetError(`signing ${account.email} out answered ${out.status}`);
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
  /** The store's kind as the target's label names it (default memory). */
  storeKind?: string;
  /** Runs after the servers and the store are closed (for example, removes a scratch key prefix or schema). */
  afterClose?: () => Promise<void>;
}

/** The reference server (on the memory store unless told otherwise) with test controls, on ephemeral loopback ports. */
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
    label: `in-process (${options.storeKind ?? 'memory'}${urls.length > 1 ? `, ${urls.length} instances` : ''})`,
    onClose: async () => {
      await Promise.all(servers.map((server) => server.close()));
      await store.close();
      await options.afterClose?.();
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
 * The in-process reference server on a Redis or PostgreSQL URL, under a key prefix or schema of its own (unless the
 * URL names one) that closing the target removes, so test files running side by side never see each other's data.
 */
async function inProcessStoreTarget(location: string): Promise<Target> {
  const { scratchStore } = await import('../scenarios/load/scratch-store.ts');
  const scratch = scratchStore(location);
  const store = await openStore(scratch.location);
  return inProcessTarget({ store: () => store, storeKind: scratch.kind, afterClose: () => scratch.cleanUp() });
}

/**
 * The target the environment asks for: `SESSIONPROOF_TARGET=url[,url]` (with `SESSIONPROOF_ADAPTER=file` for an app
 * that does not speak contract v1, and `SESSIONPROOF_ACCOUNTS=file`), else the in-process reference server on
 * `SESSIONPROOF_PROPS_STORE` (memory by default, or a Redis or PostgreSQL URL).
 */
export async function targetFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  const spec = env.SESSIONPROOF_TARGET?.trim();
  const store = env.SESSIONPROOF_PROPS_STORE?.trim();
  if (!spec) return store && store !== 'memory' ? inProcessStoreTarget(store) : inProcessTarget();
  const accounts = env.SESSIONPROOF_ACCOUNTS ? await readAccounts(env.SESSIONPROOF_ACCOUNTS) : undefined;
  const adapter = env.SESSIONPROOF_ADAPTER ? await loadAdapter(env.SESSIONPROOF_ADAPTER) : undefined;
  return urlTarget(spec.split(',').filter(Boolean), {
    ...(accounts ? { accounts } : {}),
    ...(adapter ? { adapter } : {}),
  });
}
