import { perform } from '../../adapters/engine.ts';
import { History } from '../../adapters/history.ts';
import { primaryVia } from '../../adapters/semantics.ts';
import { cartsOfGuests, firstContact } from '../definitions/through-adapter.ts';
import type { CartLine, Via } from '../../adapters/types.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import { newAgent, type Agent } from '../../adapters/wire.ts';
import type { Target } from '../../properties/targets.ts';
import { ScenarioNotApplicable } from '../scenario.ts';

/**
 * Set-up and read-back outside the measured load go over fetch with the same agent the load uses: a VirtualUser
 * sharing the agent's jar and state, so whatever the app sets during set-up is what the load sends.
 */
export function setupUser(target: Target, name: string, agent: Agent): VirtualUser {
  const user = new VirtualUser(name, () => target.urls[0]!, new History(), target.adapter.headers);
  user.cookies = agent.cookies;
  user.state = agent.state;
  return user;
}

/** Why a scenario that signs users in cannot run. */
export const noAccounts = 'no accounts to sign in with (a register operation, the users test control, or --accounts)';

/** A cart several connections share, and the add that opened it where only a write opens a session. */
export interface OpenedCart {
  agent: Agent;
  via: Via;
  opened: CartLine | null;
}

/**
 * `count` carts, each of its own identity: a guest session where the app has guest carts, else a signed-in user
 * (accounts from the target: its users control, its register operation, or --accounts).
 */
export async function openCarts(target: Target, count: number, sku: string): Promise<OpenedCart[]> {
  const { adapter } = target;
  const { semantics } = adapter;
  const via = primaryVia(semantics);
  const guests = cartsOfGuests(adapter);
  const accounts = guests ? [] : await target.accounts(count, new History());
  const carts: OpenedCart[] = [];
  for (let index = 0; index < count; index++) {
    const agent = newAgent(adapter.headers);
    const user = setupUser(target, `cart ${index + 1}`, agent);
    if (!guests) {
      const login = await perform(user, adapter, 'login', accounts[index]!);
      if (login.outcome !== 'ok')
        throw new Error(`signing in cart ${index + 1} answered ${login.status} (${login.outcome})`);
      carts.push({ agent, via, opened: null });
      continue;
    }
    const contact = firstContact(adapter);
    if (contact) await perform(user, adapter, contact, {}, { via });
    if (agent.cookies.size > 0 || agent.state.sessionId !== null) {
      carts.push({ agent, via, opened: null });
      continue;
    }
    if (semantics.writeWithoutSession !== 'opens-session')
      throw new ScenarioNotApplicable('first contact opened no guest session and a write without one is refused');
    const opened = { sku, quantity: 1 };
    const add = await perform(user, adapter, 'addItem', opened, { via });
    if (add.outcome !== 'ok') throw new Error(`opening cart ${index + 1} with an add answered ${add.status}`);
    carts.push({ agent, via, opened });
  }
  return carts;
}

/** Quantity per SKU, summing the lines of an app that adds a line per add. */
export function quantitiesBySku(items: readonly CartLine[]): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const line of items) quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity);
  return quantities;
}
