import type { AsyncCommand } from 'fast-check';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import type { Model } from '../model.ts';
import type { Real } from './shared.ts';

/** A new user agent with an empty cookie jar. */
export class NewClient implements AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.clients.length < 8;
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.addClient({ cookie: null, csrfOf: null, access: null, refresh: null });
    r.clients.push(new VirtualUser(state.name, r.route, r.history, r.adapter.headers));
  }

  toString(): string {
    return 'NewClient';
  }
}

/** A second agent holding copies of a client's cookies and tokens (another tab, or a stolen cookie). */
export class CloneClient implements AsyncCommand<Model, Real> {
  constructor(readonly client: number) {}

  check(m: Readonly<Model>): boolean {
    return this.client < m.clients.length && m.clients.length < 8;
  }

  async run(m: Model, r: Real): Promise<void> {
    const source = m.clients[this.client]!;
    const state = m.addClient({
      cookie: source.cookie,
      csrfOf: source.csrfOf,
      access: source.access && { ...source.access },
      refresh: source.refresh && { session: source.refresh.session, generations: [...source.refresh.generations] },
    });
    r.clients.push(r.clients[this.client]!.clone(state.name));
  }

  toString(): string {
    return `CloneClient(c${this.client})`;
  }
}
