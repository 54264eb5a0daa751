import type { AsyncCommand } from 'fast-check';
import { perform } from '../../adapters/engine.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import { History } from '../../adapters/history.ts';
import type { Model } from '../model.ts';
import { GetSession } from './session.ts';
import { expectOk, expectOutcome, violation, type Real } from './shared.ts';

/** Requests in flight at once while populating. */
const concurrency = 25;

/** Every how many throwaway sessions two (one kept, one ended) are asked for again once the whole population is in. */
const sampleEvery = 100;

/**
 * Population size: `count` throwaway clients each open a guest session, and every second one logs it out again, so
 * the store holds half of them live while the other half's places are freed and taken again. Their thousands of
 * exchanges go to a history of their own, so a failing history stays readable. Then a sample of the throwaway
 * cookies (the first ones included, the oldest) is replayed: a kept session must still answer with its id, an ended
 * one must not come back. Last, every client of the model asks for its session, by cookie and by access token: none
 * may have vanished or come back.
 */
export class BulkSessions implements AsyncCommand<Model, Real> {
  constructor(readonly count: number) {}

  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const history = new History();
    const samples: { copy: VirtualUser; id: string | null; ended: boolean }[] = [];
    for (let start = 0; start < this.count; start += concurrency) {
      const size = Math.min(concurrency, this.count - start);
      await Promise.all(
        Array.from({ length: size }, async (_, i) => {
          const index = start + i;
          const client = new VirtualUser(`bulk${index}`, r.route, history, r.adapter.headers);
          const opened = expectOk(await perform(client, r.adapter, 'whoami', {}), `${this.toString()}: Whoami`);
          const ended = index % 2 === 1;
          if (index % sampleEvery < 2) {
            // the copy records into the run's history, so a failure shows the replayed request
            const copy = new VirtualUser(`${client.name}-again`, r.route, r.history, r.adapter.headers);
            copy.cookies = new Map(client.cookies);
            samples.push({ copy, id: opened.id, ended });
          }
          if (ended)
            expectOutcome(await perform(client, r.adapter, 'logout', {}), ['ok'], `${this.toString()}: Logout`);
        }),
      );
    }
    // a target that shows no session ids cannot tell one guest from another: only the model's own clients are checked
    for (const { copy, id, ended } of samples.filter((sample) => sample.id !== null)) {
      const again = expectOk(await perform(copy, r.adapter, 'whoami', {}), `${this.toString()}: Whoami again`);
      if (ended && again.id === id)
        violation(`${this.toString()}: ${copy.name}'s session ${id} was ended and came back`);
      if (!ended && again.id !== id)
        violation(`${this.toString()}: ${copy.name}'s session ${id} vanished (now ${String(again.id)})`);
    }
    for (const [index, client] of m.clients.entries()) {
      if (client.cookie !== null) await new GetSession(index, 'cookie').run(m, r);
      if (client.access !== null) await new GetSession(index, 'bearer').run(m, r);
    }
  }

  toString(): string {
    return `BulkSessions(${this.count}, every second one ended)`;
  }
}
