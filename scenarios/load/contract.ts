import { fetchFailure, TargetError } from '../../adapters/target-error.ts';
import { CookieJar } from '../../adapters/cookie-jar.ts';
import { ScenarioNotApplicable } from '../scenario.ts';

/**
 * The few contract calls a scenario makes outside the measured load: setting up its population, moving the server
 * clock, sweeping, reading the stats, and checking each client afterwards. Plain fetch, one origin.
 */

export interface Reply<T = any> {
  status: number;
  body: T;
  setCookie: string[];
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  cookie?: string;
  csrfToken?: string;
  bearer?: string;
}

export async function call<T = any>(baseUrl: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrfToken) headers['x-csrf-token'] = options.csrfToken;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  let response: Response;
  try {
    response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    const { reason, hint } = fetchFailure(error);
    throw new TargetError(`cannot reach ${baseUrl} (${method} ${path}: ${reason}): ${hint}`);
  }
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as T) : (undefined as T),
    setCookie: response.headers.getSetCookie(),
  };
}

export async function expectOk<T = any>(baseUrl: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
  const reply = await call<T>(baseUrl, path, options);
  if (reply.status < 200 || reply.status >= 300) {
    throw new Error(
      `${options.method ?? (options.body === undefined ? 'GET' : 'POST')} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`,
    );
  }
  return reply;
}

export function cookieOf(reply: Reply): string {
  const jar = new CookieJar();
  jar.store(reply.setCookie);
  const cookie = jar.header();
  if (cookie === undefined) throw new Error('the server set no session cookie');
  return cookie;
}

export interface Credentials {
  email: string;
  password: string;
}

/** The share of a busy server (percent) a sweep may take, and the longest one slice of it may run. */
export interface SweepBudget {
  percent: number;
  sliceMs: number;
}

export interface SweepPass {
  removed: { sessions: number; carts: number; refreshFamilies: number };
  slices?: number;
  longestSliceMs?: number;
  /** The slices' time as the sweeper charged it to its budget, and its pauses for live traffic in between. */
  chargedMs?: number;
  pausedMs?: number;
  budget?: SweepBudget;
}

export interface SessionStats {
  live: number;
  expiredAwaitingSweep: number;
  created: number;
  ended: number;
  swept: number;
}

/** The test controls a scenario needs; a target without them cannot run the scenario. */
export const controls = {
  async require(baseUrl: string, needed: readonly ('clock' | 'sweep' | 'users')[]): Promise<void> {
    const { body } = await expectOk<{ controls?: Record<string, boolean> }>(baseUrl, '/.well-known/sessionproof');
    const missing = needed.filter((name) => body.controls?.[name] !== true);
    if (missing.length > 0)
      throw new ScenarioNotApplicable(
        `the target does not offer the test controls ${missing.join(', ')} (start it with test controls on)`,
      );
  },
  /** Test users, 10,000 per call at most (the control's limit). */
  async users(baseUrl: string, count: number): Promise<Credentials[]> {
    const users: Credentials[] = [];
    while (users.length < count) {
      const { body } = await expectOk<{ users: Credentials[] }>(baseUrl, '/__control/users', {
        body: { count: Math.min(10_000, count - users.length) },
      });
      users.push(...body.users);
    }
    return users;
  },
  async now(baseUrl: string): Promise<number> {
    return (await expectOk<{ now: number }>(baseUrl, '/__control/clock')).body.now;
  },
  async advanceClock(baseUrl: string, advanceMs: number): Promise<number> {
    return (await expectOk<{ now: number }>(baseUrl, '/__control/clock', { body: { advanceMs } })).body.now;
  },
  /** One sweep pass, with `budget` instead of the server's own when given; a server without budgets omits them. */
  async sweep(baseUrl: string, budget?: SweepBudget): Promise<SweepPass> {
    return (await expectOk<SweepPass>(baseUrl, '/__control/sweep', { method: 'POST', body: budget ?? {} })).body;
  },
  async stats(baseUrl: string): Promise<SessionStats> {
    return (await expectOk<SessionStats>(baseUrl, '/sessions/stats')).body;
  },
};
