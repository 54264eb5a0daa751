import { AdapterError, type Adapter } from '../../adapters/adapter.ts';
import { perform, UnreadableAnswer, type OpResult } from '../../adapters/engine.ts';
import type { History } from '../../adapters/history.ts';
import type { Account, LoginResult, OperationName, Tokens } from '../../adapters/types.ts';
import { VirtualUser } from '../../adapters/virtual-user.ts';
import { OperationHistory, type Operation } from '../../linearizability/history.ts';
import { viaOf } from './identity.ts';
import type { LinInput, LinOutput, ProgramOp } from './operations.ts';
import { agents, type Program } from './program.ts';

export interface Execution {
  operations: Operation<LinInput, LinOutput>[];
  /** Process names by index: `a0`, `a1`, then the second tabs (`a0.tab2`). */
  processes: string[];
}

/**
 * Sends one program operation through the adapter, the way the adapter's identity travels. A refresh presents one of
 * the refresh tokens the process holds, oldest first (`refreshTokens`), as the model reads it; with none, an empty one.
 */
function send(
  user: VirtualUser,
  adapter: Adapter,
  accounts: Account[],
  op: ProgramOp,
  refreshTokens: string[],
): Promise<OpResult<OperationName>> {
  const options = { via: viaOf(adapter.semantics.identity) };
  switch (op.kind) {
    case 'refresh': {
      const refreshToken = refreshTokens[Math.max(0, refreshTokens.length - 1 - op.back)] ?? '';
      return perform(user, adapter, 'refresh', { refreshToken }, options);
    }
    case 'login':
      return perform(user, adapter, 'login', accounts[op.user]!, options);
    case 'addItem':
    case 'setQuantity':
      return perform(user, adapter, op.kind, { sku: op.sku, quantity: op.quantity }, options);
    case 'removeItem':
      return perform(user, adapter, 'removeItem', { sku: op.sku }, options);
    case 'checkout':
      return perform(user, adapter, 'checkout', { idempotencyKey: null, note: 0 }, options);
    default:
      return perform(user, adapter, op.kind, {}, options);
  }
}

/**
 * Runs a program against the target, recording each operation into the checker's history: invoked just before it is
 * sent, ok with the normalised answer (a refusal included: the model judges refusals too) once it is read. An answer
 * that says nothing about whether the operation took effect (a 5xx the adapter does not recognise, 503) or no answer
 * at all (reset, timeout) is info. An adapter that cannot build a request or read an answer stops the run.
 */
export async function execute(
  program: Program,
  adapter: Adapter,
  accounts: Account[],
  route: () => string,
  exchanges: History,
): Promise<Execution> {
  const recorder = new OperationHistory<LinInput, LinOutput>();
  const processes: string[] = [];
  const users: VirtualUser[] = [];
  // each process's refresh tokens, one per generation it was shown, as the model counts them
  const refreshTokens: string[][] = [];
  const newProcess = (name: string, user: VirtualUser, tokens: string[] = []) => {
    processes.push(name);
    users.push(user);
    refreshTokens.push(tokens);
    return processes.length - 1;
  };
  for (let agent = 0; agent < agents; agent++)
    newProcess(`a${agent}`, new VirtualUser(`a${agent}`, route, exchanges, adapter.headers));

  const keepRefreshToken = (client: number, op: ProgramOp, value: Tokens) => {
    if (op.kind === 'login') refreshTokens[client] = value.refreshToken === null ? [] : [value.refreshToken];
    else if (
      op.kind === 'refresh' &&
      value.refreshToken !== null &&
      !refreshTokens[client]!.includes(value.refreshToken)
    )
      refreshTokens[client]!.push(value.refreshToken);
  };
  const run = async (client: number, op: ProgramOp) => {
    const pending = recorder.invoke(processes[client]!, { client, op });
    try {
      const result = await send(users[client]!, adapter, accounts, op, refreshTokens[client]!);
      if (result.outcome === 'unavailable' || result.outcome === 'error') pending.info();
      else pending.ok({ outcome: result.outcome, value: result.value as LinOutput['value'] });
      if (result.outcome === 'ok') keepRefreshToken(client, op, result.value as LoginResult | Tokens);
    } catch (error) {
      if (error instanceof AdapterError || error instanceof UnreadableAnswer) throw error;
      pending.info();
    }
  };

  for (const step of program.prefix) await run(step.agent, step.op);
  const tabs = new Map<number, number>();
  const lanes = program.branches.map((branch) => {
    const seen = tabs.get(branch.agent) ?? 0;
    tabs.set(branch.agent, seen + 1);
    if (seen === 0) return branch.agent;
    const name = `a${branch.agent}.tab${seen + 1}`;
    const client = newProcess(name, users[branch.agent]!.clone(name), [...refreshTokens[branch.agent]!]);
    recorder.invoke(name, { client, op: { kind: 'clone', from: branch.agent } }).ok({ outcome: 'ok', value: null });
    return client;
  });
  await Promise.all(
    program.branches.map(async (branch, b) => {
      for (const op of branch.ops) await run(lanes[b]!, op);
    }),
  );
  for (const step of program.suffix) await run(step.agent, step.op);
  return { operations: recorder.operations(), processes };
}
