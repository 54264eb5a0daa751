import type { AsyncCommand } from 'fast-check';
import { perform } from '../../adapters/engine.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import { History } from '../../adapters/history.ts';
import type { Model } from '../model.ts';
import { GetSession } from './session.ts';
import { expectOk, expectOutcome, violation, type Real } from './shared.ts';

/** Requests in flight at once while populating. */
const concurrency = 25;

/**
 * Population size: `count` throwaway clients each open a guest session, and every second one logs it out again, so
 * the store holds half of them live while the other half's places are freed and taken again. Their thousands of
 * exchanges go to a history of their own, so a failing history stays readable. Then every throwaway cookie is
 * presented again, as it was when its session opened: a kept session must still answer with its id, an ended one must
 * not come back. A store's index that loses or keeps one entry among thousands (a probe chain cut by a removal, a
 * table grown one slot late) shows only when that one is asked for. Last, every client of the model asks for its
 * session, by cookie and by access token: none may have vanished or come back.
 */
export class BulkSessions implements AsyncCommand<Model, Real> {
  constructor(readonly count: number) {}

  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const history = new History();
    const opened: { name: string; cookies: VirtualUser['cookies']; id: string; ended: boolean }[] = [];
    await inBatches(this.count, async (index) => {
      const client = new VirtualUser(`bulk${index}`, r.route, history, r.adapter.headers);
      const { id } = expectOk(await perform(client, r.adapter, 'whoami', {}), `${this.toString()}: Whoami`);
      const ended = index % 2 === 1;
      // a target that shows no session ids cannot tell one guest from another: only the model's own clients are checked
      if (id !== null) opened.push({ name: client.name, cookies: new Map(client.cookies), id, ended });
      if (ended) expectOutcome(await perform(client, r.adapter, 'logout', {}), ['ok'], `${this.toString()}: Logout`);
    });
    await inBatches(opened.length, async (index) => {
      const { name, cookies, id, ended } = opened[index]!;
      const again = await this.#askAgain(`${name}-again`, cookies, r, history);
      if (again === id) {
        if (ended) await this.#fail(`${name}'s session ${id} was ended and came back`, name, cookies, r);
      } else if (!ended) await this.#fail(`${name}'s session ${id} vanished (now ${String(again)})`, name, cookies, r);
    });
    for (const [index, client] of m.clients.entries()) {
      if (client.cookie !== null) await new GetSession(index, 'cookie').run(m, r);
      if (client.access !== null) await new GetSession(index, 'bearer').run(m, r);
    }
  }

  async #askAgain(name: string, cookies: VirtualUser['cookies'], r: Real, history: History): Promise<string | null> {
    const copy = new VirtualUser(name, r.route, history, r.adapter.headers);
    copy.cookies = new Map(cookies);
    return expectOk(await perform(copy, r.adapter, 'whoami', {}), `${this.toString()}: Whoami again`).id;
  }

  /** Asks once more into the run's own history, so the failure shows the request, then reports the violation. */
  async #fail(message: string, name: string, cookies: VirtualUser['cookies'], r: Real): Promise<never> {
    await this.#askAgain(`${name}-again`, cookies, r, r.history);
    violation(`${this.toString()}: ${message}`);
  }

  toString(): string {
    return `BulkSessions(${this.count}, every second one ended)`;
  }
}

/** Runs `task(0)` ... `task(count - 1)`, `concurrency` at a time. */
async function inBatches(count: number, task: (index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < count; start += concurrency)
    await Promise.all(Array.from({ length: Math.min(concurrency, count - start) }, (_, i) => task(start + i)));
}
