import fc from 'fast-check';
import { firstContact, type Identity } from './identity.ts';
import { opLabel, type OpKind, type ProgramOp } from './operations.ts';

/** An operation of the sequential parts, by one of the program's agents (independent browsers, `a0` and `a1`). */
export interface Step {
  agent: number;
  op: ProgramOp;
}

/**
 * A parallel program in the style of QuickCheck's `parallel_commands`: a sequential prefix, then two or three
 * branches run at once (each branch sequential), then a sequential suffix that reads what they left. A branch belongs
 * to an agent; a second branch of the same agent runs in a second tab, which starts with a copy of the agent's
 * cookies and tokens as they are after the prefix.
 */
export interface Program {
  prefix: Step[];
  branches: { agent: number; ops: ProgramOp[] }[];
  suffix: Step[];
}

export const agents = 2;

export function programLabel(program: Program): string {
  const steps = (list: Step[]) => list.map((step) => `a${step.agent}:${opLabel(step.op)}`).join(', ');
  const branches = program.branches.map((branch) => `a${branch.agent}{${branch.ops.map(opLabel).join(', ')}}`);
  // shrinking may leave no branch at all: the failure then needs no concurrency
  return [`prefix [${steps(program.prefix)}]`, ...branches, `suffix [${steps(program.suffix)}]`].join(' || ');
}

export function operationCount(program: Program): number {
  return program.prefix.length + program.suffix.length + program.branches.reduce((n, b) => n + b.ops.length, 0);
}

/** What the generator may draw: the operations the target's adapter offers, its SKUs, its accounts. */
export interface ProgramEnv {
  offers: (kind: OpKind) => boolean;
  skus: string[];
  /** Accounts a run may sign in as; login is drawn only when there are some. */
  users: number;
  /** How the target's identity travels: it decides an agent's first contact. */
  identity: Identity;
  /**
   * Whether refresh is drawn: the adapter offers it and login, there are accounts, and every login starts a new
   * refresh family (a login that keeps the session may keep its family or not, which the model does not guess).
   */
  refreshes: boolean;
}

/** An agent's first contact as a program step, where the target offers it. */
function opening(env: ProgramEnv, agent: number): Step[] {
  const op = firstContact(env.identity, agent, env.users);
  const usable = op.kind === 'login' ? env.users > 0 && env.offers('login') : env.offers(op.kind);
  return usable ? [{ agent, op }] : [];
}

const quantity = fc.integer({ min: 1, max: 3 });

/** A refresh with the latest token most often; the previous one (within grace), or the one before (reuse), less. */
const refreshOp: fc.Arbitrary<ProgramOp> = fc
  .constantFrom(0, 0, 0, 0, 1, 1, 2)
  .map((back) => ({ kind: 'refresh', back }));

function opArbitrary(env: ProgramEnv): fc.Arbitrary<ProgramOp> {
  const sku = fc.constantFrom(...env.skus);
  const choices: { weight: number; arbitrary: fc.Arbitrary<ProgramOp> }[] = [];
  const add = (kind: OpKind, weight: number, arbitrary: fc.Arbitrary<ProgramOp>) => {
    if (env.offers(kind) && (kind !== 'login' || env.users > 0)) choices.push({ weight, arbitrary });
  };
  // a path session's first contact, drawn again later too: a second session for the agent, the first left open
  if (env.identity === 'path') add('openSession', 1, fc.constant({ kind: 'openSession' }));
  add('whoami', 3, fc.constant({ kind: 'whoami' }));
  add('getCart', 3, fc.constant({ kind: 'getCart' }));
  add('addItem', 4, fc.record({ kind: fc.constant('addItem' as const), sku, quantity }));
  add('setQuantity', 2, fc.record({ kind: fc.constant('setQuantity' as const), sku, quantity }));
  add('removeItem', 1, fc.record({ kind: fc.constant('removeItem' as const), sku }));
  add(
    'login',
    2,
    fc.record({ kind: fc.constant('login' as const), user: fc.nat({ max: Math.max(0, env.users - 1) }) }),
  );
  add('logout', 2, fc.constant({ kind: 'logout' }));
  if (env.users > 0) {
    add('logoutAll', 1, fc.constant({ kind: 'logoutAll' }));
    add('listSessions', 1, fc.constant({ kind: 'listSessions' }));
  }
  if (env.refreshes) add('refresh', 2, refreshOp);
  add('checkout', 1, fc.constant({ kind: 'checkout' }));
  return fc.oneof(...choices);
}

/** Any program: the same agent is drawn more often than the other, so branches often share a session and a cart. */
function randomProgram(env: ProgramEnv): fc.Arbitrary<Program> {
  const op = opArbitrary(env);
  const agent = fc.constantFrom(0, 0, 1);
  const step = fc.record({ agent, op });
  const read = fc.record({
    agent,
    op: fc.constantFrom<ProgramOp>(...(env.offers('whoami') ? [{ kind: 'whoami' } as const] : []), {
      kind: 'getCart',
    }),
  });
  // most programs start with both agents holding a session (and its CSRF token), as a visitor's first page does; a
  // bearer agent without a token can do nothing but be refused, so every bearer agent signs in first
  const contact = [...opening(env, 0), ...opening(env, 1)];
  return fc
    .record({
      opening: env.identity === 'bearer' ? fc.constant(true) : fc.boolean(),
      prefix: fc.array(step, { maxLength: 3 }),
      branches: fc.array(fc.record({ agent, ops: fc.array(op, { minLength: 1, maxLength: 3 }) }), {
        minLength: 2,
        maxLength: 3,
      }),
      suffix: fc.array(read, { maxLength: 2 }),
    })
    .map(({ opening: open, prefix, branches, suffix }) => ({
      prefix: [...(open ? contact : []), ...prefix],
      branches,
      suffix,
    }));
}

/**
 * The races users hit (issue 12), as program shapes with their parameters drawn: login racing a guest add, logout
 * racing a request in flight, checkout racing an add, set-quantity racing an add, first contact racing first contact,
 * reads racing writes of one cart, and two sessions at once.
 */
function racyPrograms(env: ProgramEnv): fc.Arbitrary<Program>[] {
  const has = (...kinds: OpKind[]) => kinds.every(env.offers);
  const sku = fc.constantFrom(...env.skus);
  const who = opening(env, 0);
  const user = fc.nat({ max: Math.max(0, env.users - 1) });
  const add = (s: string, q: number): ProgramOp => ({ kind: 'addItem', sku: s, quantity: q });
  const read = (agent: number): Step => ({ agent, op: { kind: 'getCart' } });
  const shapes: fc.Arbitrary<Program>[] = [];
  const signs = env.users > 0 && has('login');

  // login racing a guest add in another tab: the add answered 200 must be in the signed-in cart, or refused
  if (signs)
    shapes.push(
      fc.tuple(sku, sku, quantity, quantity, user).map(([s1, s2, q1, q2, u]) => ({
        prefix: [...who, { agent: 0, op: add(s1, q1) }],
        branches: [
          { agent: 0, ops: [{ kind: 'login', user: u }] },
          { agent: 0, ops: [add(s2, q2)] },
        ],
        suffix: [read(0)],
      })),
    );
  // logout racing a read or a write of the same session in another tab, which then asks who it is
  if (signs && has('logout'))
    shapes.push(
      fc
        .tuple(sku, quantity, user, fc.constantFrom<ProgramOp['kind']>('getCart', 'addItem', 'whoami'))
        .map(([s, q, u, kind]) => ({
          prefix: [...who, { agent: 0, op: { kind: 'login', user: u } }, { agent: 0, op: add(s, q) }],
          branches: [
            { agent: 0, ops: [{ kind: 'logout' }] },
            {
              agent: 0,
              ops: [kind === 'addItem' ? add(s, q) : ({ kind } as ProgramOp), { kind: 'whoami' }, { kind: 'getCart' }],
            },
          ],
          suffix: [],
        })),
    );
  // checkout racing an add to the same cart
  if (signs && has('checkout'))
    shapes.push(
      fc.tuple(sku, sku, quantity, quantity, user).map(([s1, s2, q1, q2, u]) => ({
        prefix: [...who, { agent: 0, op: { kind: 'login', user: u } }, { agent: 0, op: add(s1, q1) }],
        branches: [
          { agent: 0, ops: [{ kind: 'checkout' }] },
          { agent: 0, ops: [add(s2, q2)] },
        ],
        suffix: [read(0)],
      })),
    );
  // set-quantity racing an add of the same line
  if (has('setQuantity'))
    shapes.push(
      fc.tuple(sku, quantity, quantity).map(([s, q1, q2]) => ({
        prefix: [...who, { agent: 0, op: add(s, 1) }],
        branches: [
          { agent: 0, ops: [{ kind: 'setQuantity', sku: s, quantity: q1 }] },
          { agent: 0, ops: [add(s, q2)] },
        ],
        suffix: [read(0)],
      })),
    );
  // first contact racing first contact: two tabs make the session's (or, signed in on two browsers, the user's)
  // first cart at once
  shapes.push(
    fc.tuple(sku, sku, quantity, quantity).map(([s1, s2, q1, q2]) => ({
      prefix: [...who],
      branches: [
        { agent: 0, ops: [add(s1, q1)] },
        { agent: 0, ops: [add(s2, q2), { kind: 'getCart' }] },
      ],
      suffix: [read(0)],
    })),
  );
  if (signs)
    shapes.push(
      fc.tuple(sku, sku, quantity, quantity, user).map(([s1, s2, q1, q2, u]) => ({
        prefix: [
          ...who,
          { agent: 0, op: { kind: 'login', user: u } },
          ...opening(env, 1),
          { agent: 1, op: { kind: 'login', user: u } },
        ],
        branches: [
          { agent: 0, ops: [add(s1, q1)] },
          { agent: 1, ops: [add(s2, q2)] },
        ],
        suffix: [read(0), read(1)],
      })),
    );
  // reads racing writes of one cart: a read must never undo a write
  shapes.push(
    fc.tuple(sku, sku, quantity, quantity).map(([s1, s2, q1, q2]) => ({
      prefix: [...who, { agent: 0, op: add(s1, q1) }],
      branches: [
        { agent: 0, ops: [{ kind: 'getCart' }, { kind: 'getCart' }] },
        { agent: 0, ops: [add(s2, q2), { kind: 'getCart' }] },
      ],
      suffix: [read(0)],
    })),
  );
  // two sessions at once: each answer must be about the caller's own session and cart
  shapes.push(
    fc.tuple(sku, quantity, fc.constantFrom<OpKind>('whoami', 'getCart', 'addItem')).map(([s, q, kind]) => {
      const op = (agent: number): ProgramOp =>
        kind === 'addItem' ? add(s, q + agent) : has(kind) ? ({ kind } as ProgramOp) : { kind: 'getCart' };
      return {
        prefix: [...who, ...opening(env, 1), { agent: 1, op: add(s, 3) }],
        branches: [
          { agent: 0, ops: [op(0), op(0)] },
          { agent: 1, ops: [op(1), op(1)] },
        ],
        suffix: [],
      };
    }),
  );
  shapes.push(...sessionRaces(env));
  return shapes;
}

/**
 * The races of refresh tokens, logout everywhere and session lists: refresh racing refresh in two tabs (and the
 * previous or an older token replayed), logout-all racing a write or a read of the same user on another browser, and
 * a session list racing a login or a logout of the same user.
 */
function sessionRaces(env: ProgramEnv): fc.Arbitrary<Program>[] {
  const has = (...kinds: OpKind[]) => kinds.every(env.offers);
  if (env.users === 0 || !has('login')) return [];
  const sku = fc.constantFrom(...env.skus);
  const user = fc.nat({ max: env.users - 1 });
  const signIn = (agent: number, u: number): Step[] => [
    ...opening(env, agent),
    { agent, op: { kind: 'login', user: u } },
  ];
  const refresh = (back = 0): ProgramOp => ({ kind: 'refresh', back });
  const read = fc.constantFrom<OpKind>(...(has('whoami') ? (['whoami'] as const) : []), 'getCart');
  const shapes: fc.Arbitrary<Program>[] = [];
  if (env.refreshes) {
    // two tabs refresh with one token at once: both must get the one successor, and the login must live on
    shapes.push(
      fc.tuple(user, fc.nat({ max: 2 }), fc.boolean()).map(([u, rotations, third]) => ({
        prefix: [...signIn(0, u), ...Array.from({ length: rotations }, () => ({ agent: 0, op: refresh() }))],
        branches: [
          { agent: 0, ops: [refresh(), { kind: 'whoami' } as ProgramOp] },
          { agent: 0, ops: [refresh(), refresh()] },
          ...(third ? [{ agent: 0, ops: [refresh(1)] }] : []),
        ],
        suffix: [
          { agent: 0, op: refresh() },
          { agent: 0, op: { kind: 'whoami' } },
        ],
      })),
    );
    // an earlier token replayed while the user's other browser works: the previous one within the grace window gets
    // the successor, an older one is reuse and ends that login alone
    shapes.push(
      fc.tuple(user, fc.constantFrom(1, 2), read).map(([u, back, kind]) => ({
        prefix: [...signIn(0, u), ...signIn(1, u), { agent: 0, op: refresh() }, { agent: 0, op: refresh() }],
        branches: [
          { agent: 0, ops: [refresh(back), { kind: 'whoami' }] },
          { agent: 1, ops: [{ kind } as ProgramOp, refresh()] },
        ],
        suffix: [
          { agent: 1, op: { kind: 'whoami' } },
          { agent: 0, op: refresh() },
        ],
      })),
    );
  }
  // logout everywhere racing a write or a read of the same user on another browser, and in another tab
  if (has('logoutAll'))
    shapes.push(
      fc.tuple(user, sku, quantity, read).map(([u, s, q, kind]) => ({
        prefix: [...signIn(0, u), { agent: 0, op: { kind: 'addItem', sku: s, quantity: q } }, ...signIn(1, u)],
        branches: [
          { agent: 1, ops: [{ kind: 'logoutAll' }] },
          { agent: 0, ops: [{ kind: 'addItem', sku: s, quantity: q }, { kind: 'whoami' }] },
          { agent: 0, ops: [{ kind } as ProgramOp, { kind: 'getCart' }] },
        ],
        suffix: [
          { agent: 0, op: { kind: 'whoami' } },
          { agent: 0, op: { kind: 'getCart' } },
        ],
      })),
    );
  // a session list racing a login or a logout of the same user: it shows the sessions before or after, never a mix
  if (has('listSessions'))
    shapes.push(
      fc
        .tuple(user, fc.constantFrom<OpKind>('login', ...(has('logout') ? (['logout'] as const) : [])))
        .map(([u, kind]) => ({
          prefix: [...signIn(0, u), ...(kind === 'logout' ? signIn(1, u) : opening(env, 1))],
          branches: [
            { agent: 1, ops: [kind === 'login' ? { kind: 'login', user: u } : { kind: 'logout' }, { kind: 'whoami' }] },
            { agent: 0, ops: [{ kind: 'listSessions' }, { kind: 'listSessions' }] },
          ],
          suffix: [{ agent: 0, op: { kind: 'listSessions' } }],
        })),
    );
  return shapes;
}

/**
 * A program's size for shrinking, compared in order: its operations, those inside branches, and each branch's
 * operations weighted by the branch's place (so moving one to an earlier branch makes it smaller).
 */
export function shrinkMeasure(program: Program): [number, number, number] {
  const { branches } = program;
  return [
    operationCount(program),
    branches.reduce((n, branch) => n + branch.ops.length, 0),
    branches.reduce((n, branch, b) => n + b * branch.ops.length, 0),
  ];
}

/**
 * Smaller programs to try when one fails, in the manner of QuickCheck's and PropEr's `parallel_commands`: drop a
 * branch, drop one operation, move a branch's first operation to the end of the prefix or its last to the start of
 * the suffix, or move one operation of a branch to the end of an earlier branch (run there by that branch's agent),
 * which merges branches until the race needs no more of them. Each candidate is smaller by `shrinkMeasure`, so
 * shrinking ends.
 */
export function* smallerPrograms(program: Program): Generator<Program> {
  const { prefix, branches, suffix } = program;
  const withBranches = (list: Program['branches'], extra: Partial<Program> = {}): Program => ({
    prefix,
    suffix,
    ...extra,
    branches: list.filter((branch) => branch.ops.length > 0),
  });
  if (branches.length > 1) for (let i = 0; i < branches.length; i++) yield withBranches(branches.toSpliced(i, 1));
  for (let i = 0; i < prefix.length; i++) yield { ...program, prefix: prefix.toSpliced(i, 1) };
  for (let i = 0; i < suffix.length; i++) yield { ...program, suffix: suffix.toSpliced(i, 1) };
  for (const [b, branch] of branches.entries()) {
    for (let i = 0; i < branch.ops.length; i++) {
      yield withBranches(branches.with(b, { ...branch, ops: branch.ops.toSpliced(i, 1) }));
    }
  }
  for (const [b, branch] of branches.entries()) {
    const [first, ...rest] = branch.ops;
    if (first)
      yield withBranches(branches.with(b, { ...branch, ops: rest }), {
        prefix: [...prefix, { agent: branch.agent, op: first }],
      });
    const last = branch.ops.at(-1);
    if (last && branch.ops.length > 1)
      yield withBranches(branches.with(b, { ...branch, ops: branch.ops.slice(0, -1) }), {
        suffix: [{ agent: branch.agent, op: last }, ...suffix],
      });
  }
  for (const [from, source] of branches.entries()) {
    for (let to = 0; to < from; to++) {
      const target = branches[to]!;
      for (const [i, op] of source.ops.entries()) {
        const moved = branches
          .with(to, { ...target, ops: [...target.ops, op] })
          .with(from, { ...source, ops: source.ops.toSpliced(i, 1) });
        yield withBranches(moved);
      }
    }
  }
}

/** Generates from `inner`, shrinks with `smallerPrograms` (which fast-check's own map shrinking could not do). */
class ProgramArbitrary extends fc.Arbitrary<Program> {
  constructor(readonly inner: fc.Arbitrary<Program>) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<Program> {
    return new fc.Value(this.inner.generate(mrng, biasFactor).value, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is Program {
    const program = value as Program;
    return Array.isArray(program?.prefix) && Array.isArray(program?.branches) && Array.isArray(program?.suffix);
  }

  shrink(value: Program): fc.Stream<fc.Value<Program>> {
    return new fc.Stream(smallerPrograms(value)).map((program) => new fc.Value(program, undefined));
  }
}

/** Parallel programs for a target: the racy shapes half of the time, any program the other half. */
export function programArbitrary(env: ProgramEnv): fc.Arbitrary<Program> {
  const racy = racyPrograms(env);
  return new ProgramArbitrary(
    fc.oneof(
      { arbitrary: randomProgram(env), weight: racy.length },
      ...racy.map((arbitrary) => ({ arbitrary, weight: 1 })),
    ),
  );
}
