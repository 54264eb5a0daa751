import { describe, expect, it } from 'vitest';
import { SteadyThroughput, windowSpread } from '../../scenarios/load/steady-throughput.ts';

const detector = () => new SteadyThroughput({ span: 3, tolerance: 0.05 });

describe('SteadyThroughput', () => {
  it('is not steady while throughput still climbs, even when neighbouring seconds look alike', () => {
    const steady = detector();
    for (const rate of [4915, 6452, 6576, 6900, 7300, 7700]) steady.add(rate);
    expect(steady.steady()).toBe(false);
  });

  it('is steady once the last span averages within the tolerance of the span before it', () => {
    const steady = detector();
    for (const rate of [4915, 6452, 11_200, 11_600, 11_400, 11_500, 11_300, 11_700]) steady.add(rate);
    expect(steady.steady()).toBe(true);
  });

  it('needs two whole spans of seconds', () => {
    const steady = detector();
    for (const rate of [100, 100, 100, 100, 100]) steady.add(rate);
    expect(steady.steady()).toBe(false);
    steady.add(100);
    expect(steady.steady()).toBe(true);
  });

  it('wakes a waiter when it becomes steady, and times out otherwise', async () => {
    const steady = detector();
    const waiting = steady.until(10_000);
    for (let second = 0; second < 6; second++) steady.add(500);
    await expect(waiting).resolves.toBe(true);
    const climbing = detector();
    const timedOut = climbing.until(20);
    climbing.add(1);
    await expect(timedOut).resolves.toBe(false);
  });

  it('never calls a run of empty seconds steady', () => {
    const steady = detector();
    for (let second = 0; second < 6; second++) steady.add(0);
    expect(steady.steady()).toBe(false);
  });
});

describe('windowSpread', () => {
  const series = (rates: number[]) => rates.map((requestsPerSecond, second) => ({ second, requestsPerSecond }));

  it('spreads little over a steady window and widely over one where the server switched levels', () => {
    const steady = series([9000, 10_000, 10_100, 9900, 10_000, 10_050, 9950, 8000]);
    expect(windowSpread({ startSecond: 1, endSecond: 7 }, steady)).toBeCloseTo(0.02, 5);
    const switched = series([6000, 6100, 5900, 6000, 10_000, 10_200, 9800, 10_100]);
    expect(windowSpread({ startSecond: 0, endSecond: 8 }, switched)!).toBeGreaterThan(0.5);
  });

  it('counts only the seconds wholly inside the window, and needs three of them', () => {
    const rates = series([100, 1000, 1000, 1000, 100]);
    expect(windowSpread({ startSecond: 0.5, endSecond: 4.5 }, rates)).toBe(0);
    expect(windowSpread({ startSecond: 1, endSecond: 3.9 }, rates)).toBeNull();
  });
});
