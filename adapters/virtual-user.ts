import type { History } from './history.ts';
import type { HttpRequest, HttpResponse, UserState, Via } from './types.ts';

/** A server that does not answer within this is a failure, not a hang. */
const requestTimeoutMs = 15_000;

/** Picks the base URL for the next request, so requests of one user can spread across instances. */
export type Router = () => string;

export function emptyState(): UserState {
  return { accessToken: null, refreshToken: null, csrfToken: null, sessionId: null, vars: {} };
}

/**
 * One simulated user agent: its cookie jar (browser rules for one origin), the state its adapter keeps, and the
 * transport. Every exchange goes into the run's history. It knows no app's API: adapters build what it sends.
 */
export class VirtualUser {
  cookies = new Map<string, string>();
  state: UserState = emptyState();

  constructor(
    readonly name: string,
    readonly route: Router,
    readonly history: History,
    /** Headers every request carries (the adapter's static headers). */
    readonly staticHeaders: Record<string, string> = {},
  ) {}

  /** A second agent holding copies of this one's cookies and state: a second tab, or a thief. */
  clone(name: string): VirtualUser {
    const copy = new VirtualUser(name, this.route, this.history, this.staticHeaders);
    copy.cookies = new Map(this.cookies);
    copy.state = { ...this.state, vars: { ...this.state.vars } };
    return copy;
  }

  /** Sends one request; the jar is sent and updated only for cookie requests, as a bearer client holds no cookies. */
  async send(request: HttpRequest, via: Via): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.staticHeaders, ...request.headers };
    if (via === 'cookie' && this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const body = request.body;
    if (body !== undefined && typeof body !== 'string') headers['content-type'] ??= 'application/json';

    const url = this.route() + request.path;
    const seq = this.history.begin();
    const started = performance.now();
    const response = await fetch(url, {
      method: request.method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
      redirect: 'manual',
    });
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: parsers read `text`, and the transcript shows it
    }
    const setCookies = response.headers.getSetCookie();
    if (via === 'cookie') this.#store(setCookies);
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of response.headers) if (name !== 'set-cookie') responseHeaders[name] = value;
    this.history.record({
      seq,
      client: this.name,
      method: request.method,
      url,
      requestHeaders: headers,
      requestBody: body,
      status: response.status,
      responseHeaders:
        setCookies.length > 0 ? { ...responseHeaders, 'set-cookie': setCookies.join(' | ') } : responseHeaders,
      responseBody: json ?? (text === '' ? undefined : text),
      ms: performance.now() - started,
    });
    return { status: response.status, headers: responseHeaders, setCookies, text, json };
  }

  /** Applies Set-Cookie lines the way a browser would for one origin: a cleared or expired cookie leaves the jar. */
  #store(lines: string[]): void {
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', raw = ''] = attribute.split('=');
        const lower = key.trim().toLowerCase();
        if (lower === 'max-age') return Number(raw) <= 0;
        if (lower === 'expires') return Date.parse(raw) <= Date.now();
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
