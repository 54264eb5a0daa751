/**
 * The `linearizable` family: parallel programs over the operation layer, their histories checked against the
 * sequential session model. The reference server passes; each concurrency fault of the catalogue, and the
 * express-session example, fail it with no check written for them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { referenceSemantics, type Semantics } from '../../adapters/semantics.ts';
import type { Cart } from '../../adapters/types.ts';
import expressAdapter from '../../examples/express-session-cart/adapter.ts';
import { start as startExpress } from '../../examples/express-session-cart/server.ts';
import { zooTarget } from '../../cli/zoo/target.ts';
import { check } from '../../linearizability/checker.ts';
import type { Operation } from '../../linearizability/history.ts';
import { linearizable } from '../../properties/families/linearizable.ts';
import { families } from '../../properties/families/index.ts';
import { graceWindow, SessionModel, type GraceWindow } from '../../properties/linearizable/model.ts';
import type { LinInput, LinOutput, ProgramOp } from '../../properties/linearizable/operations.ts';
import {
  programArbitrary,
  shrinkMeasure,
  smallerPrograms,
  type Program,
} from '../../properties/linearizable/program.ts';
import fc from 'fast-check';
import { formatFailure, summaryResult } from '../../properties/report.ts';
import { validateSummary } from '../../reports/validate.ts';
import { renderHtml } from '../../reports/write-html.ts';
import { renderMarkdown } from '../../reports/write-markdown.ts';
import { sampleSummary } from '../reports/fixtures.ts';
import { runProperty } from '../../properties/runner.ts';
import { urlTarget } from '../../properties/targets.ts';

const cart = (...lines: [string, number][]): LinOutput => ({
  outcome: 'ok',
  value: { id: 'cart-1', owner: 'guest', items: lines.map(([sku, quantity]) => ({ sku, quantity })) } as Cart,
});
const view = (id: string, user: string | null): LinOutput => ({
  outcome: 'ok',
  value: { id, user, csrfToken: 'token' },
});

/** A history from [process, op, output, invoked, answered] rows. */
function history(rows: [number, ProgramOp, LinOutput, number, number][]): Operation<LinInput, LinOutput>[] {
  return rows.map(([client, op, output, invokedAt, completedAt], id) => ({
    id,
    process: `p${client}`,
    input: { client, op },
    invokedAt,
    outcome: 'ok',
    output,
    completedAt,
  }));
}

function model(semantics: Semantics = referenceSemantics, processes = 2, grace: GraceWindow = 'within') {
  return new SessionModel({ semantics, emails: ['alice@example.test'], processes, grace });
}

describe('the session model', () => {
  const whoami: ProgramOp = { kind: 'whoami' };
  const add = (sku: string, quantity: number): ProgramOp => ({ kind: 'addItem', sku, quantity });

  it('accepts concurrent adds in either order, and refuses an add that a later read lost', () => {
    const clone = { id: 1, process: 'p1', input: { client: 1, op: { kind: 'clone' as const, from: 0 } } };
    const forked = (ops: Operation<LinInput, LinOutput>[]) => [
      ops[0]!,
      {
        ...clone,
        invokedAt: 1.5,
        outcome: 'ok' as const,
        output: { outcome: 'ok' as const, value: null },
        completedAt: 1.5,
      },
      ...ops.slice(1).map((op, i) => ({ ...op, id: i + 2 })),
    ];
    const both = forked(
      history([
        [0, whoami, view('s-1', null), 0, 1],
        [0, add('A', 1), cart(['A', 1], ['B', 2]), 2, 5],
        [1, add('B', 2), cart(['B', 2]), 2, 4],
      ]),
    );
    expect(check(model(), both).verdict).toBe('linearizable');
    const lost = forked(
      history([
        [0, whoami, view('s-1', null), 0, 1],
        [0, add('A', 1), cart(['A', 1]), 2, 5],
        [1, add('B', 2), cart(['B', 2]), 2, 4],
      ]),
    );
    const result = check(model(), lost);
    expect(result.verdict).toBe('not-linearizable');
  });

  it('refuses a whoami that shows another session than the one the client holds', () => {
    const ops = history([
      [0, whoami, view('s-1', null), 0, 1],
      [0, whoami, view('s-2', null), 2, 3],
    ]);
    expect(check(model(), ops).verdict).toBe('not-linearizable');
  });

  it('judges by the declared semantics: a write without a session opens one only where declared', () => {
    const ops = history([[0, add('A', 1), cart(['A', 1]), 0, 1]]);
    expect(check(model(), ops).verdict).toBe('not-linearizable');
    const opens: Semantics = { ...referenceSemantics, writeWithoutSession: 'opens-session', csrf: false };
    expect(check(model(opens), ops).verdict).toBe('linearizable');
    const refused = history([[0, add('A', 1), { outcome: 'unauthenticated', value: null }, 0, 1]]);
    expect(check(model(), refused).verdict).toBe('linearizable');
  });
});

describe('the session model without cookies', () => {
  const add = (sku: string, quantity: number): ProgramOp => ({ kind: 'addItem', sku, quantity });
  const refusal: LinOutput = { outcome: 'unauthenticated', value: null };
  const signedIn = (id: string | null): LinOutput => ({
    outcome: 'ok',
    value: {
      session: id === null ? null : { id, user: 'alice@example.test', csrfToken: 'token' },
      accessToken: null,
      refreshToken: null,
    },
  });
  const path: Semantics = { ...referenceSemantics, identity: 'path' };
  const bearer: Semantics = {
    ...referenceSemantics,
    identity: 'bearer',
    guestCarts: false,
    csrf: false,
    logoutEndsAccessTokens: false,
  };

  it('path: a client without a session id is refused, and nothing opens one but openSession', () => {
    const refused = history([
      [0, { kind: 'whoami' }, refusal, 0, 1],
      [0, add('A', 1), refusal, 2, 3],
    ]);
    expect(check(model(path), refused).verdict).toBe('linearizable');
    const opened = history([[0, { kind: 'whoami' }, view('s-1', null), 0, 1]]);
    expect(check(model(path), opened).verdict).toBe('not-linearizable');
  });

  it("path: login ends the guest session it is made on and sums its cart into the user's", () => {
    const userCart: LinOutput = {
      outcome: 'ok',
      value: { id: null, owner: 'user', items: [{ sku: 'A', quantity: 1 }] },
    };
    const ops = history([
      [0, { kind: 'openSession' }, view('s-1', null), 0, 1],
      [0, add('A', 1), cart(['A', 1]), 2, 3],
      [0, { kind: 'login', user: 0 }, signedIn('s-2'), 4, 5],
      [0, { kind: 'getCart' }, userCart, 6, 7],
    ]);
    expect(check(model(path), ops).verdict).toBe('linearizable');
    // a login that kept the old id would be a session fixation
    const kept = history([
      [0, { kind: 'openSession' }, view('s-1', null), 0, 1],
      [0, { kind: 'login', user: 0 }, signedIn('s-1'), 2, 3],
    ]);
    expect(check(model(path), kept).verdict).toBe('not-linearizable');
  });

  it('bearer: a stateless access token outlives logout where declared; without a token every answer is a refusal', () => {
    const ops = history([
      [0, { kind: 'login', user: 0 }, signedIn(null), 0, 1],
      [0, { kind: 'logout' }, { outcome: 'ok', value: null }, 2, 3],
      [
        0,
        { kind: 'whoami' },
        { outcome: 'ok', value: { id: null, user: 'alice@example.test', csrfToken: null } },
        4,
        5,
      ],
    ]);
    expect(check(model(bearer), ops).verdict).toBe('linearizable');
    const ending = { ...bearer, logoutEndsAccessTokens: true };
    expect(check(model(ending), ops).verdict).toBe('not-linearizable');
    const noToken = history([[0, { kind: 'getCart' }, cart(), 0, 1]]);
    expect(check(model(bearer), noToken).verdict).toBe('not-linearizable');
  });
});

describe('refresh, logout everywhere and session lists in the session model', () => {
  const login: ProgramOp = { kind: 'login', user: 0 };
  const refresh = (back = 0): ProgramOp => ({ kind: 'refresh', back });
  const whoami: ProgramOp = { kind: 'whoami' };
  const signedIn = (id: string, refreshToken: string | null = 'rt-0'): LinOutput => ({
    outcome: 'ok',
    value: { session: { id, user: 'alice@example.test', csrfToken: 'token' }, accessToken: 'at', refreshToken },
  });
  const tokens = (refreshToken: string): LinOutput => ({ outcome: 'ok', value: { accessToken: 'at', refreshToken } });
  const reused: LinOutput = { outcome: 'refresh-reused', value: null };
  const done: LinOutput = { outcome: 'ok', value: null };
  const sessions = (...ids: string[]): LinOutput => ({
    outcome: 'ok',
    value: ids.map((id, i) => ({ id, current: i === 0 })),
  });
  /** Process 1 starts as a copy of process 0 (a second tab) after the first `fork` rows. */
  function tabs(rows: [number, ProgramOp, LinOutput, number, number][], fork: number) {
    const ops = history(rows);
    const clone: Operation<LinInput, LinOutput> = {
      id: rows.length,
      process: 'p1',
      input: { client: 1, op: { kind: 'clone', from: 0 } },
      invokedAt: rows[fork - 1]![4] + 0.1,
      outcome: 'ok',
      output: done,
      completedAt: rows[fork - 1]![4] + 0.1,
    };
    return [...ops.slice(0, fork), clone, ...ops.slice(fork)];
  }

  it('two tabs refreshing one token at once both get the one successor, within the grace window', () => {
    const race = (second: LinOutput) =>
      tabs(
        [
          [0, login, signedIn('s-1'), 0, 1],
          [0, refresh(), tokens('rt-1'), 2, 5],
          [1, refresh(), second, 2, 4],
        ],
        1,
      );
    expect(check(model(), race(tokens('rt-1'))).verdict).toBe('linearizable');
    // two successors of one token, or a refusal within the window (refresh tokens with no grace)
    expect(check(model(), race(tokens('rt-2'))).verdict).toBe('not-linearizable');
    expect(check(model(), race(reused)).verdict).toBe('not-linearizable');
    // past the window the replay is reuse, which ends the login: it may be refused, and then the session is over
    expect(check(model(referenceSemantics, 2, 'past'), race(reused)).verdict).toBe('linearizable');
    const after = (answer: LinOutput) => [
      ...race(reused),
      ...history([[0, whoami, answer, 6, 7]]).map((op) => ({ ...op, id: 10 })),
    ];
    expect(check(model(referenceSemantics, 2, 'past'), after(view('s-1', 'alice@example.test'))).verdict).toBe(
      'not-linearizable',
    );
    expect(check(model(referenceSemantics, 2, 'past'), after(view('s-9', null))).verdict).toBe('linearizable');
  });

  it('a token two rotations old is reuse, and a rotation never hands out an earlier token again', () => {
    const rows = (third: LinOutput): [number, ProgramOp, LinOutput, number, number][] => [
      [0, login, signedIn('s-1'), 0, 1],
      [0, refresh(), tokens('rt-1'), 2, 3],
      [0, refresh(), tokens('rt-2'), 4, 5],
      [0, refresh(2), third, 6, 7],
    ];
    expect(check(model(), history(rows(reused))).verdict).toBe('linearizable');
    expect(check(model(), history(rows(tokens('rt-2')))).verdict).toBe('not-linearizable');
    const again = history([
      [0, login, signedIn('s-1'), 0, 1],
      [0, refresh(), tokens('rt-1'), 2, 3],
      [0, refresh(), tokens('rt-0'), 4, 5],
    ]);
    expect(check(model(), again).verdict).toBe('not-linearizable');
  });

  it('logout everywhere ends every session of the user, which a request racing it may still see', () => {
    const rows = (later: LinOutput): [number, ProgramOp, LinOutput, number, number][] => [
      [0, login, signedIn('s-1', null), 0, 1],
      [1, login, signedIn('s-2', null), 2, 3],
      [1, { kind: 'logoutAll' }, done, 4, 8],
      [0, whoami, view('s-1', 'alice@example.test'), 5, 6],
      [0, whoami, later, 9, 10],
    ];
    expect(check(model(), history(rows(view('s-3', null)))).verdict).toBe('linearizable');
    expect(check(model(), history(rows(view('s-1', 'alice@example.test')))).verdict).toBe('not-linearizable');
  });

  it('two tabs signing out everywhere at once may both be told it is done, and nothing more may change', () => {
    const rows = (second: LinOutput): [number, ProgramOp, LinOutput, number, number][] => [
      [0, login, signedIn('s-1', null), 0, 1],
      [0, { kind: 'logoutAll' }, done, 2, 5],
      [1, { kind: 'logoutAll' }, second, 3, 6],
    ];
    expect(check(model(), tabs(rows(done), 1)).verdict).toBe('linearizable');
    expect(check(model(), tabs(rows({ outcome: 'unauthenticated', value: null }), 1)).verdict).toBe('linearizable');
    // a tab that never held a session has nothing to sign out of
    const stranger = history([
      [0, login, signedIn('s-1', null), 0, 1],
      [1, { kind: 'logoutAll' }, done, 2, 3],
    ]);
    expect(check(model(), stranger).verdict).toBe('not-linearizable');
  });

  it("a session list shows only the user's live sessions, the caller's marked current", () => {
    const rows = (list: LinOutput): [number, ProgramOp, LinOutput, number, number][] => [
      [0, login, signedIn('s-1', null), 0, 1],
      [1, login, signedIn('s-2', null), 2, 3],
      [0, { kind: 'listSessions' }, list, 4, 5],
    ];
    expect(check(model(), history(rows(sessions('s-1', 's-2')))).verdict).toBe('linearizable');
    expect(check(model(), history(rows(sessions('s-2', 's-1')))).verdict).toBe('not-linearizable');
    expect(check(model(), history(rows(sessions('s-1', 's-2', 's-3')))).verdict).toBe('not-linearizable');
    // a list need not be atomic with a login that replaces a session, so it may leave one out
    expect(check(model(), history(rows(sessions('s-1')))).verdict).toBe('linearizable');
    // but never shows one that ended before it was asked for
    const ended = history([
      [0, login, signedIn('s-1', null), 0, 1],
      [1, login, signedIn('s-2', null), 2, 3],
      [1, { kind: 'logout' }, done, 4, 5],
      [0, { kind: 'listSessions' }, sessions('s-1', 's-2'), 6, 7],
    ]);
    expect(check(model(), ended).verdict).toBe('not-linearizable');
    // a list racing a logout shows the session or not, never one made up
    const racing = (list: LinOutput) =>
      history([
        [0, login, signedIn('s-1', null), 0, 1],
        [1, login, signedIn('s-2', null), 2, 3],
        [1, { kind: 'logout' }, done, 4, 7],
        [0, { kind: 'listSessions' }, list, 5, 6],
      ]);
    expect(check(model(), racing(sessions('s-1', 's-2'))).verdict).toBe('linearizable');
    expect(check(model(), racing(sessions('s-1'))).verdict).toBe('linearizable');
    expect(check(model(), racing(sessions('s-1', 's-9'))).verdict).toBe('not-linearizable');
  });

  it('places a replay within the grace window only when the whole history took less than half of it', () => {
    expect(graceWindow(10_000, 40)).toBe('within');
    expect(graceWindow(10_000, 6_000)).toBe('unknown');
    expect(graceWindow(0, 1)).toBe('past');
  });
});

describe('generating parallel programs', () => {
  const env = (offered: string[], refreshes: boolean) => ({
    offers: (kind: string) => offered.includes(kind),
    skus: ['A', 'B'],
    users: 2,
    identity: 'cookie+bearer' as const,
    refreshes,
  });
  const base = ['whoami', 'getCart', 'addItem', 'login', 'logout'];
  const sample = (e: ReturnType<typeof env>) => fc.sample(programArbitrary(e), { numRuns: 600, seed: 12 });
  const kindsIn = (program: Program) => [
    ...program.prefix.map((step) => step.op.kind),
    ...program.branches.flatMap((branch) => branch.ops.map((op) => op.kind)),
  ];

  it('draws refresh, logout everywhere and session lists, and races refresh with refresh', () => {
    const programs = sample(env([...base, 'refresh', 'logoutAll', 'listSessions'], true));
    const drawn = new Set(programs.flatMap(kindsIn));
    for (const kind of ['refresh', 'logoutAll', 'listSessions']) expect(drawn).toContain(kind);
    const racing = (a: string, b: string) => (program: Program) =>
      program.branches.some((one, i) =>
        program.branches.some(
          (other, j) => i !== j && one.ops.some((op) => op.kind === a) && other.ops.some((op) => op.kind === b),
        ),
      );
    expect(programs.filter(racing('refresh', 'refresh')).length).toBeGreaterThan(30);
    expect(programs.filter(racing('logoutAll', 'addItem')).length).toBeGreaterThan(20);
    expect(programs.filter(racing('listSessions', 'login')).length).toBeGreaterThan(10);
  });

  it('draws only what the adapter offers, and refresh only where declared', () => {
    const kinds = (e: ReturnType<typeof env>) => new Set(sample(e).flatMap(kindsIn));
    const bare = kinds(env(base, false));
    for (const kind of ['refresh', 'logoutAll', 'listSessions', 'checkout']) expect(bare).not.toContain(kind);
    expect(kinds(env([...base, 'refresh'], false))).not.toContain('refresh');
  });
});

describe('shrinking parallel programs', () => {
  /** Greedy shrinking as fast-check does it: the first smaller program that still fails, until none does. */
  function shrunk(program: Program, fails: (p: Program) => boolean): Program {
    for (;;) {
      const next = [...smallerPrograms(program)].find(fails);
      if (next === undefined) return program;
      program = next;
    }
  }
  const kinds = (ops: ProgramOp[]) => ops.map((op) => op.kind);
  const smaller = (a: number[], b: number[]) => {
    const i = a.findIndex((x, k) => x !== b[k]);
    return i >= 0 && a[i]! < b[i]!;
  };

  it('every candidate is smaller, so shrinking ends', () => {
    const env = {
      offers: () => true,
      skus: ['A', 'B'],
      users: 2,
      identity: 'cookie+bearer' as const,
      refreshes: true,
    };
    fc.assert(
      fc.property(programArbitrary(env), (program) => {
        for (const candidate of smallerPrograms(program))
          expect(smaller(shrinkMeasure(candidate), shrinkMeasure(program))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('moves operations between branches: three racing branches merge into the two the failure needs', () => {
    const add: ProgramOp = { kind: 'addItem', sku: 'A', quantity: 1 };
    const program: Program = {
      prefix: [{ agent: 0, op: { kind: 'whoami' } }],
      branches: [
        { agent: 0, ops: [{ kind: 'logout' }] },
        { agent: 0, ops: [add] },
        { agent: 1, ops: [{ kind: 'getCart' }, add] },
      ],
      suffix: [],
    };
    // a failure that needs a logout in one branch racing two adds elsewhere
    const fails = (p: Program) =>
      p.branches.some(
        (branch, b) =>
          kinds(branch.ops).includes('logout') &&
          p.branches.filter((_, o) => o !== b).flatMap((other) => kinds(other.ops).filter((k) => k === 'addItem'))
            .length >= 2,
      );
    expect(fails(program)).toBe(true);
    expect(shrunk(program, fails)).toEqual({
      prefix: [],
      branches: [
        { agent: 0, ops: [{ kind: 'logout' }] },
        { agent: 0, ops: [add, add] },
      ],
      suffix: [],
    });
    // the move itself is among the candidates
    expect([...smallerPrograms(program)]).toContainEqual({
      ...program,
      branches: [program.branches[0], { agent: 0, ops: [add, { kind: 'getCart' }] }, { agent: 1, ops: [add] }],
    });
  });

  it('moves a branch operation into the prefix when the race does not need it', () => {
    const refresh: ProgramOp = { kind: 'refresh', back: 0 };
    const program: Program = {
      prefix: [{ agent: 0, op: { kind: 'login', user: 0 } }],
      branches: [
        { agent: 0, ops: [refresh, refresh] },
        { agent: 0, ops: [refresh] },
      ],
      suffix: [],
    };
    // fails when a refresh follows another sequentially and a third races it
    const fails = (p: Program) => {
      const sequential = [...p.prefix.map((step) => step.op), ...(p.branches[0]?.ops.slice(0, -1) ?? [])];
      return (
        sequential.some((op) => op.kind === 'refresh') &&
        p.branches.length === 2 &&
        p.branches.every((branch) => kinds(branch.ops).includes('refresh'))
      );
    };
    expect(shrunk(program, fails)).toEqual({
      prefix: [{ agent: 0, op: refresh }],
      branches: [
        { agent: 0, ops: [refresh] },
        { agent: 0, ops: [refresh] },
      ],
      suffix: [],
    });
  });

  it('offers smaller programs, among them a branch operation moved to the prefix', () => {
    const program: Program = {
      prefix: [{ agent: 0, op: { kind: 'whoami' } }],
      branches: [
        { agent: 0, ops: [{ kind: 'getCart' }, { kind: 'logout' }] },
        { agent: 1, ops: [{ kind: 'addItem', sku: 'A', quantity: 1 }] },
        { agent: 0, ops: [{ kind: 'whoami' }] },
      ],
      suffix: [{ agent: 0, op: { kind: 'getCart' } }],
    };
    const candidates = [...smallerPrograms(program)];
    expect(candidates.length).toBeGreaterThan(8);
    for (const candidate of candidates) expect(smaller(shrinkMeasure(candidate), shrinkMeasure(program))).toBe(true);
    // moved between a branch and the sequential parts
    expect(candidates).toContainEqual({
      ...program,
      prefix: [...program.prefix, { agent: 0, op: { kind: 'getCart' } }],
      branches: [{ agent: 0, ops: [{ kind: 'logout' }] }, ...program.branches.slice(1)],
    });
  });
});

describe('linearizable on the reference server', () => {
  it('is on by default, after the command families', () => {
    expect(families.at(-1)).toBe(linearizable);
  });

  it('the clean server passes 200 parallel programs', { timeout: 60_000 }, async () => {
    const target = await zooTarget({ store: 'memory', faults: [], instances: 2 });
    try {
      const result = await runProperty(linearizable, target, { runs: 200 });
      expect(result.failure?.error ?? '').toBe('');
      expect(result).toMatchObject({ verdict: 'passed', runs: 200 });
      expect(result.reason).toBeUndefined();
    } finally {
      await target.close();
    }
  });

  describe.each([
    'resurrect-after-logout',
    'stale-save-on-read',
    'racy-cart-create',
    'cart-in-session',
    'cross-session-leak',
    // caught through refresh, logout everywhere and session lists
    'strict-refresh',
    'loose-grace',
    'reuse-revokes-all',
    'logout-keeps-server-session',
  ])('with the fault %s', (fault) => {
    it('fails with the shrunk program, a timeline and the exchanges', { timeout: 60_000 }, async () => {
      const target = await zooTarget({ store: 'memory', faults: [fault], instances: 2 });
      try {
        const result = await runProperty(linearizable, target, { runs: 300 });
        expect(result.verdict).toBe('failed');
        const failure = result.failure!;
        expect(failure.error).toMatch(/no order of the \d+ operations explains every answer/);
        expect(failure.timeline?.text).toMatch(/^! /m);
        expect(failure.timeline?.svg).toMatch(/^<svg/);
        expect(failure.commands).toMatch(/prefix \[.*\] \|\|/);
        expect(failure.exchanges.length).toBeGreaterThan(0);
        expect(formatFailure(result, null)).toContain('admits no order');
        // the report carries the timeline: inline SVG in index.html, a table in summary.md
        const summary = validateSummary(
          JSON.parse(JSON.stringify({ ...sampleSummary(), properties: [summaryResult(result, 1, 'replay')] })),
        );
        expect(renderHtml(summary)).toContain('<div class="timeline"><svg');
        expect(renderMarkdown(summary)).toContain('| no order |');
        console.log(`${fault}: detected after ${result.runs} runs, ${result.secondsToFailure?.toFixed(2)} s`);
      } finally {
        await target.close();
      }
    });
  });
});

describe('linearizable through an example adapter', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('express-session-cart fails: its whole-session saves lose concurrent updates', { timeout: 60_000 }, async () => {
    const app = await startExpress({ port: 0, sessionMaxAgeMs: 60_000 });
    closers.push(() => app.close());
    const target = await urlTarget([app.url], { adapter: expressAdapter });
    const result = await runProperty(linearizable, target, { runs: 200 });
    expect(result.verdict).toBe('failed');
    expect(result.failure!.timeline?.text).toMatch(/^! /m);
  });
});
