import type { RefreshClientKind } from '../definitions/refresh-storm.ts';
import type { Exchange, OutgoingRequest } from '../load/pool-transport.ts';
import { parseJson } from '../load/response.ts';
import type { StormBook } from './book.ts';

/** Sends one request; rejects only when no answer came (the transport's contract). */
export type Send = (request: OutgoingRequest) => Promise<Exchange>;

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

interface ErrorReply {
  error?: { code?: string };
}

/**
 * One signed-in virtual client: its tokens, shared by its parallel requests, and what happened to it. It follows
 * the refresh protocol correctly: a 401 on a request that carried the current access token starts a refresh; a 401
 * on a request that carried a token since replaced only means "retry with the new one". So a refresh answered
 * 401 REFRESH_* is never the client's fault: it is a spurious logout, and the client stops (a real one would show
 * its sign-in page).
 *
 * A naive client refreshes from every parallel request that saw the 401, all presenting the same refresh token at
 * once (what several tabs or uncoordinated requests do, and what the server's grace window is for); a single-flight
 * client sends one refresh and its other requests wait for it.
 */
export class StormClient {
  readonly index: number;
  readonly kind: RefreshClientKind;
  accessToken: string;
  refreshToken: string;
  /** The access token the client held when the clock jumped; a 200 with a later one means it is back. */
  stormToken: string | null = null;
  /** When it was back to 200 after the clock jump, on the book's clock; null until then. */
  backAtMs: number | null = null;
  /** The error code of the refresh that signed it out; null while signed in. */
  signedOutBy: string | null = null;
  refreshCalls = 0;
  readonly #book: StormBook;
  /** Single-flight: the refresh on the wire that this client's other requests wait for. */
  #sharedRefresh: Promise<void> | null = null;

  constructor(index: number, tokens: Tokens, kind: RefreshClientKind, book: StormBook) {
    this.index = index;
    this.kind = kind;
    this.accessToken = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
    this.#book = book;
  }

  get signedOut(): boolean {
    return this.signedOutBy !== null;
  }

  /** From now on, a 200 on a request with a token other than the current one counts as back. */
  markStorm(): void {
    this.stormToken = this.accessToken;
  }

  /**
   * One request of one of the client's parallel lanes, and on a 401 the refresh it calls for. The lane calls it again
   * for its next request, which carries the refreshed token: that is the retry. False when no answer came.
   */
  async request(send: Send): Promise<boolean> {
    const token = this.accessToken;
    let reply: Exchange;
    try {
      reply = await send({ method: 'GET', path: '/cart', headers: { authorization: `Bearer ${token}` } });
    } catch {
      return false;
    }
    this.#book.requests++;
    if (reply.status === 200) {
      if (this.backAtMs === null && this.stormToken !== null && token !== this.stormToken) this.#book.markBack(this);
      return true;
    }
    if (reply.status !== 401) return true;
    this.#book.unauthorized++;
    if (token !== this.accessToken || this.signedOut) return true;
    if (this.kind === 'naive') await this.#refresh(send);
    else if (this.#sharedRefresh) {
      this.#book.sharedRefreshWaits++;
      await this.#sharedRefresh;
    } else {
      this.#sharedRefresh = this.#refresh(send).finally(() => (this.#sharedRefresh = null));
      await this.#sharedRefresh;
    }
    return true;
  }

  async #refresh(send: Send): Promise<void> {
    const presented = this.refreshToken;
    this.refreshCalls++;
    this.#book.refreshStarted();
    try {
      const reply = await send({
        method: 'POST',
        path: '/auth/refresh',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: presented }),
      });
      if (reply.status === 200) {
        const tokens = parseJson<Tokens>(reply.body);
        // Naive refreshes in parallel all presented the same token and get the same successor: the first to answer
        // moves the client on, the later ones have nothing newer to give.
        if (tokens && this.refreshToken === presented) {
          this.accessToken = tokens.accessToken;
          this.refreshToken = tokens.refreshToken;
        }
        return;
      }
      const code = parseJson<ErrorReply>(reply.body)?.error?.code ?? '';
      if (reply.status === 401 && code.startsWith('REFRESH_')) {
        if (!this.signedOut) this.#book.markSignedOut(this, code);
      } else this.#book.failedRefreshes++;
    } catch {
      // No answer: the server may or may not have rotated. The lane's next request gets its 401 again and the client
      // refreshes again with the same token, which the grace window accepts if the lost refresh did rotate.
      this.#book.failedRefreshes++;
    } finally {
      this.#book.refreshEnded();
    }
  }
}
