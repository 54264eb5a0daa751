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
import { SessionModel } from '../../properties/linearizable/model.ts';
import type { LinInput, LinOutput, ProgramOp } from '../../properties/linearizable/operations.ts';
import { operationCount, smallerPrograms, type Program } from '../../properties/linearizable/program.ts';
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

function model(semantics: Semantics = referenceSemantics, processes = 2) {
  return new SessionModel({ semantics, emails: ['alice@example.test'], processes });
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

describe('shrinking parallel programs', () => {
  it('offers only programs with fewer operations, or as many with fewer in the branches', () => {
    const program: Program = {
      prefix: [{ agent: 0, op: { kind: 'whoami' } }],
      branches: [
        { agent: 0, ops: [{ kind: 'getCart' }, { kind: 'logout' }] },
        { agent: 1, ops: [{ kind: 'addItem', sku: 'A', quantity: 1 }] },
        { agent: 0, ops: [{ kind: 'whoami' }] },
      ],
      suffix: [{ agent: 0, op: { kind: 'getCart' } }],
    };
    const inBranches = (p: Program) => p.branches.reduce((n, b) => n + b.ops.length, 0);
    const smaller = [...smallerPrograms(program)];
    expect(smaller.length).toBeGreaterThan(8);
    for (const candidate of smaller) {
      const fewer = operationCount(candidate) < operationCount(program);
      expect(fewer || inBranches(candidate) < inBranches(program)).toBe(true);
    }
    // moved between a branch and the sequential parts
    expect(smaller).toContainEqual({
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
