import { afterEach, expect, test } from 'vitest';
import { cleanup } from '../../properties/families/cleanup.ts';
import { invalidation } from '../../properties/families/invalidation.ts';
import { noLostUpdates } from '../../properties/families/no-lost-updates.ts';
import { runProperty } from '../../properties/runner.ts';
import { inProcessTarget, type Target } from '../../properties/targets.ts';

let target: Target | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

test('a property whose needs the target lacks is "not applicable" and names what is missing', async () => {
  target = await inProcessTarget({ config: { testControls: false } });
  const timed = await runProperty(cleanup, target, { runs: 5 });
  expect(timed).toMatchObject({
    verdict: 'not applicable',
    runs: 0,
    reason: 'target lacks a clock test control, a sweep test control',
  });
  const signedIn = await runProperty(invalidation, target, { runs: 5 });
  expect(signedIn).toMatchObject({
    verdict: 'not applicable',
    reason: 'target lacks accounts (a register operation, the users test control, or --accounts)',
  });
});

test('a property that can run without some command groups says which it left out', async () => {
  target = await inProcessTarget({ config: { testControls: false } });
  const result = await runProperty(noLostUpdates, target, { runs: 5 });
  expect(result.verdict).toBe('passed');
  expect(result.reason).toBe(
    'without login/bearer (target lacks accounts (a register operation, the users test control, or --accounts))',
  );
});
