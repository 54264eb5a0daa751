import { parseArgs } from 'node:util';
import { check } from '../checker.ts';
import type { Operation } from '../history.ts';
import type { SequentialModel } from '../model.ts';
import {
  atomicCart,
  atomicRegister,
  cartModel,
  registerModel,
  type CartInput,
  type CartOutput,
  type RegisterInput,
  type RegisterOutput,
} from './models.ts';
import { randomPlan, runPlan, seededRandom } from './simulation.ts';

/** One kind of history to measure: a model, the atomic object that produces its histories, and how they look. */
interface Workload<I, O> {
  name: string;
  model: SequentialModel<unknown, I, O>;
  atomic: () => (input: I) => O;
  input: (random: () => number) => I;
  /** An answer no order can give, put on one read to make a history that is not linearizable. */
  impossible: O;
  processes: number;
  infoRate: number;
}

const registerWorkload = (processes: number, infoRate: number): Workload<RegisterInput, RegisterOutput> => ({
  name: 'register',
  model: registerModel as SequentialModel<unknown, RegisterInput, RegisterOutput>,
  atomic: atomicRegister,
  input: (random) => (random() < 0.5 ? { kind: 'read' } : { kind: 'write', value: 1 + Math.floor(random() * 5) }),
  impossible: -1,
  processes,
  infoRate,
});

const skus = ['a', 'b', 'c'];
const cartWorkload = (processes: number, infoRate: number): Workload<CartInput, CartOutput> => ({
  name: 'cart',
  model: cartModel as SequentialModel<unknown, CartInput, CartOutput>,
  atomic: atomicCart,
  input: (random) => {
    const sku = skus[Math.floor(random() * skus.length)] as string;
    const roll = random();
    if (roll < 0.4) return { kind: 'read' };
    if (roll < 0.75) return { kind: 'add', sku, quantity: 1 + Math.floor(random() * 2) };
    if (roll < 0.9) return { kind: 'set', sku, quantity: Math.floor(random() * 3) };
    return { kind: 'remove', sku };
  },
  impossible: [{ sku: 'zz', quantity: 99 }],
  processes,
  infoRate,
});

function histories<I, O>(workload: Workload<I, O>, operations: number, count: number, seed: number) {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () =>
    runPlan(
      randomPlan(random, {
        processes: workload.processes,
        operations,
        input: workload.input,
        infoRate: workload.infoRate,
        failRate: 0.02,
      }),
      workload.atomic(),
    ),
  );
}

/** The history with its middle answered read replaced by an impossible answer. */
function withBadRead<I extends { kind: string }, O>(history: Operation<I, O>[], impossible: O): Operation<I, O>[] {
  const reads = history.filter((operation) => operation.outcome === 'ok' && operation.input.kind === 'read');
  const target = reads[Math.floor(reads.length / 2)];
  return history.map((operation) =>
    operation === target && operation.outcome === 'ok' ? { ...operation, output: impossible } : operation,
  );
}

/**
 * Process CPU time in milliseconds. The figures are CPU time, not wall time, so that other work on a shared machine
 * does not pass for the checker's cost.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
}

// no bound but time, and that well past the second being measured: a check it cuts short took a second or more
const bounds = { maxOperations: Infinity, maxStates: Infinity, timeBudgetMs: 5_000 };

/** CPU milliseconds to reach the expected verdict, or Infinity when the check ran out of time. */
function timed<I, O>(workload: Workload<I, O>, history: Operation<I, O>[], expected: string): number {
  const started = cpuMs();
  const result = check(workload.model, history, bounds);
  const ms = cpuMs() - started;
  if (result.verdict === 'unchecked') return Infinity;
  if (result.verdict !== expected) throw new Error(`${workload.name}: expected ${expected}, got ${result.verdict}`);
  return ms;
}

/** Checks small histories round and round: the best of three rounds of half a CPU second. */
function historiesPerSecond<I, O>(workload: Workload<I, O>, size: number): number {
  const pool = histories(workload, size, 200, 1);
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let checked = 0;
    const started = cpuMs();
    while (cpuMs() - started < 500) {
      for (const history of pool) check(workload.model, history, bounds);
      checked += pool.length;
    }
    best = Math.max(best, checked / ((cpuMs() - started) / 1_000));
  }
  return best;
}

/**
 * The most operations whose check took under a second on every one of three histories, growing the size by half each
 * step; `largestMs` is the slowest check at that size, `capped` says the size limit stopped the growth, not time.
 */
function largestUnderASecond<I extends { kind: string }, O>(
  workload: Workload<I, O>,
  corrupt: boolean,
  cap: number,
): { operations: number; largestMs: number; capped: boolean } {
  let best = { operations: 0, largestMs: 0, capped: true };
  for (let size = 20; size <= cap; size = Math.ceil(size * 1.5)) {
    const samples = histories(workload, size, 3, size).map((history) =>
      corrupt
        ? timed(workload, withBadRead(history, workload.impossible), 'not-linearizable')
        : timed(workload, history, 'linearizable'),
    );
    const slowest = Math.max(...samples);
    if (slowest >= 1_000) return { ...best, capped: false };
    best = { operations: size, largestMs: slowest, capped: true };
  }
  return best;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column] as number)).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const usage = `npm run bench:checker [-- --quick]

Measures the linearizability checker on histories recorded from an atomic register and an atomic cart (always
linearizable), and on the same histories with one read answered impossibly (never linearizable, so the search has
to rule out every order). Per workload: histories of 10 operations checked per CPU second, and the largest history
(in operations, one partition) checked in under 1 s of CPU time, linearizable and not.
  --quick  stop growing histories at 2,000 operations`;

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const cap = values.quick ? 2_000 : 100_000;
const workloads: Workload<any, any>[] = [
  registerWorkload(4, 0),
  registerWorkload(8, 0),
  registerWorkload(4, 0.02),
  cartWorkload(4, 0),
  cartWorkload(8, 0),
  cartWorkload(4, 0.02),
];
const rows: string[][] = [];
for (const workload of workloads) {
  process.stderr.write(`bench: ${workload.name}, ${workload.processes} processes, ${workload.infoRate * 100}% open\n`);
  const rate = historiesPerSecond(workload, 10);
  const fine = largestUnderASecond(workload, false, cap);
  const broken = largestUnderASecond(workload, true, cap);
  rows.push([
    workload.name,
    String(workload.processes),
    `${workload.infoRate * 100}%`,
    rate.toFixed(0),
    `${fine.operations}${fine.capped ? '+' : ''}`,
    fine.largestMs.toFixed(0),
    `${broken.operations}${broken.capped ? '+' : ''}`,
    broken.largestMs.toFixed(0),
  ]);
}
process.stdout.write(
  `\nCPU time; ops = operations in one partition; + = stopped at the size limit, not by time\n${table(
    [
      'model',
      'processes',
      'open ops',
      'histories/s (10 ops)',
      'largest linearizable < 1 s (ops)',
      'its ms',
      'largest with a bad read < 1 s (ops)',
      'its ms',
    ],
    rows,
  )}\n`,
);
