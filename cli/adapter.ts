import { randomBytes } from 'node:crypto';
import { operationNames, type Adapter } from '../adapters/adapter.ts';
import { History } from '../adapters/history.ts';
import { loadAdapter } from '../adapters/load.ts';
import type { Account } from '../adapters/types.ts';
import { VirtualUser } from '../adapters/virtual-user.ts';
import { walkAdapter, type WalkStep } from '../adapters/walk.ts';
import { fetchFailure, TargetError } from '../adapters/target-error.ts';
import { declaredLine } from '../properties/report.ts';
import { readAccounts, urlTarget } from '../properties/targets.ts';
import { parseCommand, UsageError } from './args.ts';

const usage = `sessionproof adapter check --target URL [--adapter FILE] [--accounts FILE]

Walks each operation the adapter offers once against the target and shows what was sent, what came back, and where
a parser or a declared semantic did not match. Without --adapter it checks the built-in contract-v1 adapter.
  --target URL     the app's base URL
  --adapter FILE   a module whose default export is defineAdapter({...}) (TypeScript or JavaScript)
  --accounts FILE  a JSON list of {"email", "password"} to sign in with, for an adapter without a register operation
Exits 0 when every operation matched, 1 when one did not, 2 when the adapter or the target cannot be used.`;

/** Where the walk's account comes from: a fresh one through register, a supplied one, or the users test control. */
async function chooseAccount(
  adapter: Adapter,
  supplied: Account[],
  fromControl: (() => Promise<Account>) | null,
): Promise<Account | null> {
  if (adapter.operations.register) {
    const tag = randomBytes(4).toString('hex');
    return { email: `sessionproof-check-${tag}@example.test`, password: `sp-${randomBytes(12).toString('hex')}` };
  }
  if (supplied[0]) return supplied[0];
  return fromControl ? fromControl() : null;
}

function line(step: WalkStep): string {
  const mark = step.problems.length === 0 ? 'ok ' : 'BAD';
  const head = `${mark} ${step.operation.padEnd(15)} ${step.sent.join(', ') || '(nothing sent)'}`;
  const shown = step.shown ? `\n      ${step.shown}` : '';
  return `${head}${shown}${step.problems.map((problem) => `\n      ! ${problem}`).join('')}`;
}

async function reachable(base: string): Promise<void> {
  try {
    await fetch(base, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const { reason, hint } = fetchFailure(error);
    throw new TargetError(`cannot reach ${base} (${reason}): ${hint}`);
  }
}

export async function adapterCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    { target: { type: 'string' }, adapter: { type: 'string' }, accounts: { type: 'string' } },
    usage,
  );
  if (positionals[0] !== 'check' || positionals.length > 1) throw new UsageError(usage);
  if (!values.target) throw new UsageError(`--target is required\n\n${usage}`);
  const base = values.target.replace(/\/+$/, '');
  const supplied = values.accounts ? await readAccounts(values.accounts) : [];

  let adapter: Adapter;
  let fromControl: (() => Promise<Account>) | null = null;
  if (values.adapter) {
    adapter = await loadAdapter(values.adapter);
    await reachable(base);
  } else {
    const target = await urlTarget([base], { accounts: supplied });
    adapter = target.adapter;
    if (target.discovery?.controls.users) fromControl = async () => (await target.accounts(1, new History()))[0]!;
  }
  const account = await chooseAccount(adapter, supplied, fromControl);
  const offered = operationNames.filter((name) => adapter.operations[name] !== undefined);
  const absent = operationNames.filter((name) => adapter.operations[name] === undefined);
  process.stdout.write(
    `adapter ${adapter.name} against ${base}\n` +
      `${declaredLine(adapter)}\n` +
      `offers: ${offered.join(', ') || 'nothing'}\n` +
      (absent.length > 0 ? `absent (what needs them is not applicable): ${absent.join(', ')}\n` : '') +
      (account ? '' : 'no account (no register operation, no --accounts): signed-in operations are left out\n'),
  );
  const user = new VirtualUser('check', () => base, new History(), adapter.headers);
  const steps = await walkAdapter(adapter, user, account, (step) => process.stdout.write(`${line(step)}\n`));
  const bad = steps.filter((step) => step.problems.length > 0).length;
  process.stdout.write(`${steps.length - bad} of ${steps.length} operations matched\n`);
  if (bad > 0) process.exitCode = 1;
}
