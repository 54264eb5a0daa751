/**
 * A fetch client with a cookie jar, for tests that drive a server over real HTTP. `HttpClient` knows nothing of the
 * contract: tests set `headers` (a CSRF token, a bearer token) and read cookies themselves.
 */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as is, with whatever content type `headers` gives. */
  body?: string;
  headers?: Record<string, string>;
}

export class HttpClient {
  readonly cookies = new Map<string, string>();
  /** Sent with every request; per-request headers override them. */
  readonly headers: Record<string, string> = {};

  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size > 0) headers['cookie'] = this.cookieHeader();
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, options.headers);
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
      signal: AbortSignal.timeout(10_000),
    });
    for (const line of response.headers.getSetCookie()) this.#setCookie(line);
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('application/json') && text !== '';
    return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text };
  }

  get<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }

  post<T = any>(path: string, json?: unknown, options: RequestOptions = {}) {
    return this.request<T>('POST', path, { json, ...options });
  }

  put<T = any>(path: string, json?: unknown, options: RequestOptions = {}) {
    return this.request<T>('PUT', path, { json, ...options });
  }

  delete<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, options);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** A second client holding this one's cookies and headers as they are now. */
  clone(): HttpClient {
    const copy = new HttpClient(this.baseUrl);
    for (const [name, value] of this.cookies) copy.cookies.set(name, value);
    Object.assign(copy.headers, this.headers);
    return copy;
  }

  #setCookie(line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const expires = attributes.find((attribute) => /^\s*expires=/i.test(attribute));
    const expired = expires !== undefined && Date.parse(expires.split('=')[1]!) <= Date.now();
    if (value === '' || expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

export interface ClientResponse {
  status: number;
  body: any;
  elapsedMs: number;
}

/** A browser-like client for the store tests: learns the session's CSRF token and sends it on unsafe requests. */
export class CookieClient {
  readonly #http: HttpClient;
  csrfToken: string | null = null;

  constructor(base: string) {
    this.#http = new HttpClient(base.replace(/\/$/, ''));
  }

  async request(method: string, path: string, body?: unknown): Promise<ClientResponse> {
    const started = performance.now();
    const headers: Record<string, string> =
      method !== 'GET' && this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {};
    const reply = await this.#http.request(method, path, { json: body, headers });
    const parsed = reply.body === '' ? null : reply.body;
    if (parsed?.csrfToken) this.csrfToken = parsed.csrfToken;
    if (parsed?.session?.csrfToken) this.csrfToken = parsed.session.csrfToken;
    return { status: reply.status, body: parsed, elapsedMs: performance.now() - started };
  }
}
