import { cookieHeader, storeCookies, type Cookies } from './cookie-jar.ts';
import type { HttpRequest, HttpResponse, UserState, Via } from './types.ts';

/**
 * A user agent without a transport: its cookie jar, the state its adapter keeps, and the headers every request of
 * its adapter carries. The property runner's VirtualUser, a load connection and a k6 VU each hold one and move
 * bytes their own way; what goes on the wire and what comes back is decided here, once.
 */
export interface Agent {
  cookies: Cookies;
  state: UserState;
  readonly staticHeaders: Readonly<Record<string, string>>;
}

export function emptyState(): UserState {
  return { accessToken: null, refreshToken: null, csrfToken: null, sessionId: null, vars: {} };
}

export function newAgent(staticHeaders: Record<string, string> = {}): Agent {
  return { cookies: new Map(), state: emptyState(), staticHeaders };
}

/** A second agent holding copies of this one's cookies and state: a second tab, or a thief. */
export function copyAgent(agent: Agent): Agent {
  return {
    cookies: new Map(agent.cookies),
    state: { ...agent.state, vars: { ...agent.state.vars } },
    staticHeaders: agent.staticHeaders,
  };
}

/** A request as it goes on the wire. */
export interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** The jar is sent only with cookie requests: a bearer client holds no cookies. */
export function outgoing(agent: Agent, request: HttpRequest, via: Via): WireRequest {
  const headers: Record<string, string> = { accept: 'application/json', ...agent.staticHeaders, ...request.headers };
  const cookie = via === 'cookie' ? cookieHeader(agent.cookies) : undefined;
  if (cookie !== undefined) headers.cookie = cookie;
  const { body } = request;
  if (body !== undefined && typeof body !== 'string') headers['content-type'] ??= 'application/json';
  return {
    method: request.method,
    path: request.path,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/**
 * A transport's response headers as `WireResponse` holds them: names in lower case, one value each (repeated ones
 * joined with ", "), Set-Cookie left out for `setCookies`.
 */
export function singleValuedHeaders(headers: Iterable<readonly [string, unknown]>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower !== 'set-cookie' && value !== undefined)
      result[lower] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

/** An answer as a transport read it; `headers` without Set-Cookie, whose lines are in `setCookies`. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
  text: string;
}

/** Takes an answer's cookies into the jar (for cookie requests) and gives it to parsers with its JSON read. */
export function incoming(agent: Agent, response: WireResponse, via: Via): HttpResponse {
  if (via === 'cookie') storeCookies(agent.cookies, response.setCookies);
  let json: unknown = undefined;
  try {
    json = response.text === '' ? undefined : JSON.parse(response.text);
  } catch {
    // not JSON: parsers read `text`, and transcripts show it
  }
  return { ...response, json };
}
