import { afterEach, expect, test } from 'vitest';
import { defineAdapter } from '../../adapters/adapter.ts';
import pathAdapter from '../../examples/session-in-path-koa/adapter.ts';
import { start, type Started } from '../../examples/session-in-path-koa/server.ts';
import { invalidation } from '../../properties/families/invalidation.ts';
import { runProperty } from '../../properties/runner.ts';
import { urlTarget } from '../../properties/targets.ts';

/**
 * An app without a clock control: its time-based properties run in real time, against the short idle timeout its
 * test deployment is started with and its adapter declares, within a bounded wait.
 */
const idleMs = 3_000;
const declaringShortIdle = defineAdapter({
  ...pathAdapter,
  semantics: { ...pathAdapter.semantics, timeouts: { ...pathAdapter.semantics.timeouts, idleMs, guestIdleMs: idleMs } },
});

let app: Started | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

test('idle expiry is checked by waiting for it: the app started with the declared timeout passes', async () => {
  app = await start({ port: 0, idleTimeoutMs: idleMs });
  const target = await urlTarget([app.url], { adapter: declaringShortIdle, realTimeBudgetMs: 30_000 });
  const result = await runProperty(invalidation, target, { runs: 40, seed: 3 });
  expect(result.verdict, result.failure?.error).toBe('passed');
  expect(result.reason).toMatch(/\d+ s waited in real time for timeouts/);
}, 120_000);

test('an app that does not end sessions after the idle timeout it declares fails invalidation', async () => {
  app = await start({ port: 0, idleTimeoutMs: 15 * 60_000 });
  const target = await urlTarget([app.url], { adapter: declaringShortIdle, realTimeBudgetMs: 30_000 });
  const result = await runProperty(invalidation, target, { runs: 100, seed: 3 });
  expect(result.verdict).toBe('failed');
  expect(result.failure!.commands).toMatch(/AdvanceClock/);
}, 120_000);

test('without a budget, what needs the clock is left out and the report says so', async () => {
  app = await start({ port: 0, idleTimeoutMs: idleMs });
  const target = await urlTarget([app.url], { adapter: declaringShortIdle });
  const result = await runProperty(invalidation, target, { runs: 5 });
  expect(result.reason).toContain('without clock (target lacks a clock');
});
