import type { AsyncCommand } from 'fast-check';
import type { Model } from '../model.ts';
import { act, expectCart, expectOk, expectOutcome, type Real } from './shared.ts';

/**
 * A cookie write with the wrong CSRF token: none, or the token another client holds for a different session (which
 * covers a token of the client's own earlier session). It must get 403 and change nothing.
 */
export class ForeignCsrfWrite implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    /** Whose token to send: another client's index, or -1 for no token at all. */
    readonly tokenOf: number,
    readonly sku: string,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    const session = client && m.cookieSession(client);
    if (!session) return false;
    if (this.tokenOf < 0) return true;
    const other = m.clients[this.tokenOf];
    return other !== undefined && other.csrfOf !== null && other.csrfOf !== session.key;
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const what = this.toString();
    const session = m.cookieSession(state)!;
    const csrf = this.tokenOf < 0 ? null : r.csrf.get(m.clients[this.tokenOf]!.csrfOf!)!;
    const reply = await act(r, this.client, 'addItem', { sku: this.sku, quantity: 1 }, { csrf });
    expectOutcome(reply, ['csrf', 'forbidden'], what);
    m.touch(session, false);
    const then = `${what}, then GetCart`;
    expectCart(m, r, expectOk(await act(r, this.client, 'getCart', {}), then), m.ownerOf(session), then);
    m.touch(session, true);
  }

  toString(): string {
    return `ForeignCsrfWrite(c${this.client}, ${this.tokenOf < 0 ? 'no token' : `token of c${this.tokenOf}`}, ${this.sku})`;
  }
}
