import type { History } from './history.ts';
import type { Via } from './types.ts';
import { VirtualUser, type Router } from './virtual-user.ts';

export interface RequestOptions {
  body?: unknown;
  via?: Via;
  /** The `x-csrf-token` to send; `undefined` sends the client's own token when it holds one, `null` sends none. */
  csrf?: string | null;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  body: any;
}

/**
 * Raw contract-v1 requests by path, for the places that speak to the reference server itself rather than through
 * operations: the white-box race tests, the server's self-check, and resetting supplied accounts.
 */
export class ContractClient {
  readonly user: VirtualUser;
  csrfToken: string | null = null;
  accessToken: string | null = null;
  refreshTokens: string[] = [];

  constructor(name: string, route: Router, history: History, user?: VirtualUser) {
    this.user = user ?? new VirtualUser(name, route, history);
  }

  /** A second client holding copies of this one's cookies and tokens: a second tab, or a thief. */
  clone(name: string): ContractClient {
    const copy = new ContractClient(name, this.user.route, this.user.history, this.user.clone(name));
    copy.csrfToken = this.csrfToken;
    copy.accessToken = this.accessToken;
    copy.refreshTokens = [...this.refreshTokens];
    return copy;
  }

  get cookies(): Map<string, string> {
    return this.user.cookies;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const via = options.via ?? 'cookie';
    const headers: Record<string, string> = { ...options.headers };
    if (via === 'bearer' && this.accessToken !== null) headers.authorization = `Bearer ${this.accessToken}`;
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (via === 'cookie' && csrf !== null && method !== 'GET') headers['x-csrf-token'] = csrf;
    const response = await this.user.send(
      { method, path, headers, ...(options.body === undefined ? {} : { body: options.body }) },
      via,
    );
    return { status: response.status, body: response.json ?? (response.text === '' ? undefined : response.text) };
  }
}
