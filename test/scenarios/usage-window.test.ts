import { describe, expect, it } from 'vitest';
import { ProcessMeter } from '../../scenarios/load/process-meter.ts';
import { UsageWindows, usageFigures } from '../../scenarios/load/usage-window.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Short-lived garbage: enough allocation that the young generation is collected several times. */
function churn(): number {
  let kept = 0;
  for (let i = 0; i < 200_000; i++) kept += new Array<number>(64).fill(i).length;
  return kept;
}

describe('ProcessMeter', () => {
  it('counts CPU time and GC pauses in the window they fell in, and starts each window from zero', async () => {
    const meter = new ProcessMeter();
    try {
      meter.lap();
      expect(churn()).toBe(200_000 * 64);
      await nextTurn();
      await nextTurn();
      const busy = meter.lap();
      expect(busy.cpuMicros).toBeGreaterThan(0);
      expect(busy.gcMs).toBeGreaterThan(0);
      await nextTurn();
      const quiet = meter.lap();
      expect(quiet.gcMs).toBeLessThan(busy.gcMs);
    } finally {
      meter.stop();
    }
  });
});

describe('UsageWindows', () => {
  it('laps the server and the generator together, each window as long as the time between laps', async () => {
    const served = [{ cpuMicros: 5000, loopDelayMs: { p50: 0, p99: 1, max: 2 }, gcMs: 1 }];
    const windows = new UsageWindows(async () => served.shift() ?? null);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const first = await windows.lap();
      expect(first.wallMs).toBeGreaterThanOrEqual(45);
      expect(first.server?.cpuMicros).toBe(5000);
      const second = await windows.lap();
      expect(second.wallMs).toBeLessThan(first.wallMs);
      expect(second.server).toBeNull();
    } finally {
      windows.stop();
    }
  });
});

describe('usageFigures', () => {
  it('gives CPU and GC as shares of the window, and names the window', () => {
    const figures = usageFigures(
      'server',
      { cpuMicros: 250_000, loopDelayMs: { p50: 1, p99: 3, max: 9 }, gcMs: 50 },
      500,
      ' during the sweep',
    );
    expect(figures).toEqual([
      { name: 'server CPU share during the sweep', value: 50, unit: '% of a core' },
      { name: 'server event-loop delay p99 during the sweep', value: 3, unit: 'ms' },
      { name: 'server event-loop delay max during the sweep', value: 9, unit: 'ms' },
      { name: 'server GC pauses during the sweep', value: 10, unit: '% of the time' },
    ]);
  });
});
