import { describe, expect, it } from 'vitest';
import { OperationHistory, operationsOf } from '../../linearizability/history.ts';

describe('the history recorder', () => {
  it('pairs each invoke with its answer, and leaves an unanswered operation open', async () => {
    let now = 0;
    const history = new OperationHistory<string, number>(() => (now += 5));
    const first = history.invoke('u0', 'add');
    const second = history.invoke('u1', 'read');
    const third = history.invoke('u1', 'read');
    const fourth = history.invoke('u2', 'add');
    await Promise.resolve();
    second.ok(3);
    first.fail(409);
    third.info();
    expect(history.operations()).toEqual([
      { id: 0, process: 'u0', input: 'add', invokedAt: 5, outcome: 'fail', output: 409, completedAt: 30 },
      { id: 1, process: 'u1', input: 'read', invokedAt: 10, outcome: 'ok', output: 3, completedAt: 25 },
      { id: 2, process: 'u1', input: 'read', invokedAt: 15, outcome: 'info', output: undefined, completedAt: 35 },
      { id: 3, process: 'u2', input: 'add', invokedAt: 20, outcome: 'info', output: undefined, completedAt: undefined },
    ]);
    expect(fourth.id).toBe(3);
    expect(history.events.map((event) => `${event.type} ${event.op}`)).toEqual([
      'invoke 0',
      'invoke 1',
      'invoke 2',
      'invoke 3',
      'ok 1',
      'fail 0',
      'info 2',
    ]);
  });

  it('refuses a second answer to one operation', () => {
    const history = new OperationHistory<string, number>();
    const operation = history.invoke('u0', 'read');
    operation.ok(1);
    expect(() => operation.info()).toThrow('operation 0 of u0 was already answered');
  });

  it('times operations on a monotonic clock by default', () => {
    const history = new OperationHistory<string, number>();
    history.invoke('u0', 'read').ok(1);
    const [operation] = history.operations();
    expect(operation?.outcome).toBe('ok');
    if (operation?.outcome !== 'ok') return;
    expect(operation.completedAt).toBeGreaterThanOrEqual(operation.invokedAt);
  });

  it('refuses an answer logged before its invoke', () => {
    expect(() => operationsOf([{ type: 'ok', op: 0, process: 'u0', time: 1, value: 1 }])).toThrow(
      'operation 0 is answered before it is invoked',
    );
  });
});
