import type { ParameterizedContext } from 'koa';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { ServerConfig } from './config.ts';
import type { Sweeper } from './cleanup.ts';
import type { Metrics } from './metrics.ts';
import type { RefreshPolicy, SessionLifecycle } from './parts.ts';
import type { RequestSession } from './request-session.ts';
import type { SessionRecord, Store } from './stores/store.ts';
import type { TokenService } from './tokens.ts';

/** Who is calling: a session reached through its cookie or through a bearer token naming it. */
export interface Identity {
  via: 'cookie' | 'bearer';
  session: SessionRecord;
}

export interface AppState {
  requestId: string;
}

/** The parts every handler may use, reached through `ctx.services` rather than module state. */
export interface Services {
  config: ServerConfig;
  store: Store;
  clock: Clock;
  tokens: TokenService;
  sweeper: Sweeper;
  metrics: Metrics;
  logger: Logger;
  skus: ReadonlySet<string>;
  lifecycle: SessionLifecycle;
  refreshPolicy: RefreshPolicy;
  seedUsers(): Promise<void>;
}

/** koa-session's per-request session object, as much of it as the server uses. */
export interface CookieSession {
  isNew: boolean;
  /** The secret the cookie carries. */
  readonly externalKey?: string;
  regenerate(): Promise<void>;
  [field: string]: unknown;
}

export interface AppCustom {
  services: Services;
  session: CookieSession | null;
  /** The request's session, from load to save (request-session.ts); set before the session layer. */
  requestSession: RequestSession;
  log: Logger;
}

export type AppContext = ParameterizedContext<AppState, AppCustom>;
