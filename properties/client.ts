import type { History } from './history.ts';

/** How a request identifies itself: the cookie jar, the access token, or nothing at all. */
export type Credential = 'cookie' | 'bearer' | 'none';

export interface RequestOptions {
  body?: unknown;
  via?: Credential;
  /** The `x-csrf-token` to send; `undefined` sends the client's own token when it holds one, `null` sends none. */
  csrf?: string | null;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  body: any;
}

/** A server that does not answer within this is a failure, not a hang. */
const requestTimeoutMs = 15_000;

/** Picks the base URL for the next request, so requests of one client can spread across instances. */
export type Router = () => string;

/**
 * One simulated user agent speaking contract v1: its own cookie jar, CSRF token, access token and the refresh
 * tokens it was given (oldest first). Every exchange goes into the run's history.
 */
export class ContractClient {
  cookies = new Map<string, string>();
  csrfToken: string | null = null;
  accessToken: string | null = null;
  refreshTokens: string[] = [];

  constructor(
    readonly name: string,
    readonly route: Router,
    readonly history: History,
  ) {}

  /** A second agent holding copies of this one's cookies and tokens: a second tab, or a thief. */
  clone(name: string): ContractClient {
    const copy = new ContractClient(name, this.route, this.history);
    copy.cookies = new Map(this.cookies);
    copy.csrfToken = this.csrfToken;
    copy.accessToken = this.accessToken;
    copy.refreshTokens = [...this.refreshTokens];
    return copy;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const via = options.via ?? 'cookie';
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (via === 'cookie' && this.cookies.size > 0) {
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (via === 'bearer' && this.accessToken !== null) headers.authorization = `Bearer ${this.accessToken}`;
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (via === 'cookie' && csrf !== null && method !== 'GET') headers['x-csrf-token'] = csrf;
    if (options.body !== undefined) headers['content-type'] = 'application/json';

    const url = this.route() + path;
    const seq = this.history.begin();
    const started = performance.now();
    const response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // a non-JSON answer is kept as text so the transcript shows it
    }
    const setCookies = response.headers.getSetCookie();
    if (via === 'cookie') this.#store(setCookies);
    const responseHeaders: Record<string, string> = {};
    if (setCookies.length > 0) responseHeaders['set-cookie'] = setCookies.join(' | ');
    const contentType = response.headers.get('content-type');
    if (contentType) responseHeaders['content-type'] = contentType;
    this.history.record({
      seq,
      client: this.name,
      method,
      url,
      requestHeaders: headers,
      requestBody: options.body,
      status: response.status,
      responseHeaders,
      responseBody: body,
      ms: performance.now() - started,
    });
    return { status: response.status, body };
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
