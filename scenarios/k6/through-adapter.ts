import type { Account, UserState } from '../../adapters/types.ts';
import { newAgent, type Agent } from '../../adapters/wire.ts';
import adapter from './adapter.ts';
import { perform } from './agent.ts';
import { createUsers } from './lib.ts';

/**
 * What the adapter-driven k6 scripts share: accounts and agents that survive k6's setup() (whose data k6 hands to
 * VUs as JSON, so a cookie jar travels as a plain object).
 */

/** An agent as setup() data. */
export interface AgentData {
  cookies: Record<string, string>;
  state: UserState;
}

export function agentData(agent: Agent): AgentData {
  return { cookies: Object.fromEntries(agent.cookies), state: agent.state };
}

/** A VU's own copy of an agent from setup(): like a second tab, its cookie updates stay its own. */
export function agentFrom(data: AgentData): Agent {
  const agent = newAgent(adapter.headers);
  agent.cookies = new Map(Object.entries(data.cookies));
  agent.state = { ...data.state, vars: { ...data.state.vars } };
  return agent;
}

/** ACCOUNTS names a JSON file of {email, password}; k6 reads files only in the init context, so it is read here. */
const supplied: Account[] | null = __ENV.ACCOUNTS ? (JSON.parse(open(__ENV.ACCOUNTS)) as Account[]) : null;

/**
 * `count` accounts to sign in with: the ACCOUNTS file, else new ones through the adapter's register operation,
 * else contract v1's users test control.
 */
export function accounts(count: number): Account[] {
  if (supplied) {
    if (supplied.length < count) throw new Error(`need ${count} accounts, ACCOUNTS gave ${supplied.length}`);
    return supplied.slice(0, count);
  }
  if (adapter.operations.register === undefined) return createUsers(count);
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const registered: Account[] = [];
  for (let i = 0; i < count; i++) {
    const account = { email: `sp-k6-${run}-${i}@example.test`, password: `sp-k6-${run}-${i}-password` };
    const result = perform(newAgent(adapter.headers), adapter, 'register', account);
    if (result.outcome !== 'ok') throw new Error(`register ${account.email} answered ${result.status}`);
    registered.push(result.value ?? account);
  }
  return registered;
}
