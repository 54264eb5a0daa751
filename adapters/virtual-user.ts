import type { History } from './history.ts';
import type { HttpRequest, HttpResponse, Via } from './types.ts';
import { copyAgent, emptyState, incoming, outgoing, singleValuedHeaders, type Agent } from './wire.ts';

/** A server that does not answer within this is a failure, not a hang. */
const requestTimeoutMs = 15_000;

/** Picks the base URL for the next request, so requests of one user can spread across instances. */
export type Router = () => string;

/**
 * One simulated user agent over fetch: its cookie jar (browser rules for one origin), the state its adapter keeps,
 * and the transport. Every exchange goes into the run's history. It knows no app's API: adapters build what it sends.
 */
export class VirtualUser implements Agent {
  cookies = new Map<string, string>();
  state = emptyState();

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
    ({ cookies: copy.cookies, state: copy.state } = copyAgent(this));
    return copy;
  }

  async send(request: HttpRequest, via: Via): Promise<HttpResponse> {
    const wire = outgoing(this, request, via);
    const url = this.route() + wire.path;
    const seq = this.history.begin();
    const started = performance.now();
    const response = await fetch(url, {
      method: wire.method,
      headers: wire.headers,
      body: wire.body,
      signal: AbortSignal.timeout(requestTimeoutMs),
      redirect: 'manual',
    });
    const text = await response.text();
    const setCookies = response.headers.getSetCookie();
    const headers = singleValuedHeaders(response.headers);
    const answer = incoming(this, { status: response.status, headers, setCookies, text }, via);
    this.history.record({
      seq,
      client: this.name,
      method: wire.method,
      url,
      requestHeaders: wire.headers,
      requestBody: request.body,
      status: response.status,
      responseHeaders: setCookies.length > 0 ? { ...headers, 'set-cookie': setCookies.join(' | ') } : headers,
      responseBody: answer.json ?? (text === '' ? undefined : text),
      ms: performance.now() - started,
    });
    return answer;
  }
}
