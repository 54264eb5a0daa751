import { Pool } from 'undici';

/**
 * Many virtual clients over few sockets: every request of every client goes through one undici Pool of at most
 * `connections` keep-alive connections, each carrying up to `pipelining` requests at once; the rest wait in the
 * pool's queue. A client's identity (tokens, cookies) lives in the client, never in a connection, so 10,000 clients
 * need not mean 10,000 sockets.
 */
export interface PoolTransportOptions {
  url: string;
  connections: number;
  pipelining: number;
  /** Per request, from the moment it is written: a server that stops answering fails the request, not the run. */
  timeoutMs?: number;
  /** Each answered request: its status and its time from `send` to the end of the body (pool queueing included). */
  onResponse?: (status: number, latencyMs: number) => void;
  /** Each request that got no answer (connection refused or reset, timeout), unless the pool was destroyed. */
  onError?: (error: Error) => void;
}

export interface Exchange {
  status: number;
  body: string;
}

export interface OutgoingRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export class PoolTransport {
  readonly #pool: Pool;
  readonly #options: PoolTransportOptions;

  constructor(options: PoolTransportOptions) {
    this.#options = options;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.#pool = new Pool(options.url, {
      connections: options.connections,
      pipelining: options.pipelining,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /** Resolves with the answer whatever its status; rejects only when no answer came. */
  async send(request: OutgoingRequest): Promise<Exchange> {
    const started = performance.now();
    try {
      const response = await this.#pool.request(request);
      const body = await response.body.text();
      this.#options.onResponse?.(response.statusCode, performance.now() - started);
      return { status: response.statusCode, body };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (!this.#pool.destroyed) this.#options.onError?.(failure);
      throw failure;
    }
  }

  /** Fails every request still queued or in flight and closes the sockets: the run is over, nobody waits. */
  async destroy(): Promise<void> {
    await this.#pool.destroy();
  }
}
