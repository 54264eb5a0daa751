import { check } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { primaryVia } from '../../adapters/semantics.ts';
import { newAgent } from '../../adapters/wire.ts';
import { cartContention, k6Thresholds } from '../definitions/index.ts';
import { cartsOfGuests, firstContact, missingOperations } from '../definitions/through-adapter.ts';
import adapter from './adapter.ts';
import { perform } from './agent.ts';
import { intEnv } from './lib.ts';
import { accounts, agentData, agentFrom, type AgentData } from './through-adapter.ts';

/**
 * cart-contention, through the bundled adapter: VUs add to a few shared carts (guest sessions, or signed-in users
 * where the app has no guest carts). A VU cannot see other VUs' acknowledgements, so k6 counts what one VU can
 * prove, as `lost updates seen by a client` (the definition's k6 check): on a correct server every add it gets an
 * acknowledgement for returns a quantity above the last one it saw for that SKU (its own add is in it); a smaller
 * quantity means acknowledged adds were overwritten. That is a lower bound on the Node runner's `lost updates`
 * (acknowledged adds minus final quantities), which needs every client's acknowledgements in one place.
 */
const defaults = cartContention.defaults;
const carts = intEnv('CARTS', defaults.carts);
const via = primaryVia(adapter.semantics);
const skus = adapter.semantics.skus.slice(0, defaults.skus.length);

const lostUpdatesSeen = new Counter('lost_updates_seen');
const acknowledgedAdds = new Counter('acknowledged_adds');

export const options: Options = {
  scenarios: {
    contention: {
      executor: 'constant-vus',
      vus: intEnv('VUS', defaults.connections),
      duration: `${intEnv('DURATION', defaults.durationSeconds)}s`,
    },
  },
  thresholds: k6Thresholds(cartContention),
};

/** Opens each cart as the Node runner does (scenarios/load/shared-identity.ts), through the same operations. */
export function setup(): { carts: AgentData[] } {
  const lacking = missingOperations(adapter, 'cart-contention');
  if (lacking.length > 0) throw new Error(`cart-contention: adapter ${adapter.name} has no ${lacking.join(' or ')}`);
  const guests = cartsOfGuests(adapter);
  const users = guests ? [] : accounts(carts);
  const opened: AgentData[] = [];
  for (let i = 0; i < carts; i++) {
    const agent = newAgent(adapter.headers);
    if (!guests) {
      const login = perform(agent, adapter, 'login', users[i]!);
      if (login.outcome !== 'ok') throw new Error(`signing in cart ${i + 1} answered ${login.status}`);
    } else {
      const contact = firstContact(adapter);
      if (contact) perform(agent, adapter, contact, {}, { via });
      if (agent.cookies.size === 0 && agent.state.sessionId === null) {
        if (adapter.semantics.writeWithoutSession !== 'opens-session')
          throw new Error('first contact opened no guest session and a write without one is refused');
        perform(agent, adapter, 'addItem', { sku: skus[0]!, quantity: 1 }, { via });
      }
    }
    opened.push(agentData(agent));
  }
  return { carts: opened };
}

/** The VU's copy of its cart's agent, and the last quantity it saw for its SKU; VU-local, which is all a VU knows. */
let agent: ReturnType<typeof agentFrom> | null = null;
let lastSeen = 0;

export default function (data: { carts: AgentData[] }): void {
  const vu = exec.vu.idInTest - 1;
  agent ??= agentFrom(data.carts[vu % data.carts.length]!);
  const sku = skus[Math.floor(vu / data.carts.length) % skus.length]!;
  const result = perform(agent, adapter, 'addItem', { sku, quantity: 1 }, { via }, { scenario_step: 'add' });
  if (!check(result, { 'add acknowledged': (r) => r.outcome === 'ok' })) return;
  acknowledgedAdds.add(1);
  const quantity = (result.value?.items ?? [])
    .filter((line) => line.sku === sku)
    .reduce((sum, line) => sum + line.quantity, 0);
  if (quantity < lastSeen + 1) lostUpdatesSeen.add(lastSeen + 1 - quantity);
  lastSeen = quantity;
}
