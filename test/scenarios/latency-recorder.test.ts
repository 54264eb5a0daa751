import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../scenarios/load/latency-recorder.ts';

describe('LatencyRecorder', () => {
  it('keeps microseconds and, in the open model, corrects for the requests a stalled connection never sent', () => {
    // One connection meant to send every 10 ms: 99 fast answers, then one that took a second. The 99 sends that
    // second swallowed would have waited 990 ms, 980 ms, ... from their intended send times.
    const recorder = new LatencyRecorder({ expectedIntervalUs: 10_000, startMs: 0 });
    for (let i = 0; i < 99; i++) recorder.record(0.25, 10 * i);
    recorder.record(1000, 2000);
    const uncorrected = recorder.uncorrected();
    const corrected = recorder.corrected()!;
    expect(uncorrected.p50).toBeCloseTo(0.25, 2);
    expect(uncorrected.p90).toBeCloseTo(0.25, 2);
    expect(corrected.p50).toBeGreaterThan(1);
    expect(corrected.p90).toBeGreaterThan(800);
    expect(corrected.max).toBeCloseTo(uncorrected.max, 0);
    recorder.destroy();
  });

  it('has no corrected figures in the closed model, and splits the run into seconds and named phases', () => {
    const recorder = new LatencyRecorder({ expectedIntervalUs: null, startMs: 0 });
    recorder.mark('before', 0);
    recorder.record(1, 100);
    recorder.record(3, 900);
    recorder.mark('during', 1000);
    recorder.record(5, 1500);
    recorder.mark(null, 2000);
    expect(recorder.corrected()).toBeNull();
    expect(recorder.timeSeries().map((p) => [p.second, p.requestsPerSecond])).toEqual([
      [0, 2],
      [1, 1],
    ]);
    // Progress reports each completed second once, however late the timer fires.
    expect(recorder.completedSeconds(0, 1999).map((p) => p.second)).toEqual([0]);
    expect(recorder.completedSeconds(1, 3500).map((p) => [p.second, p.requestsPerSecond])).toEqual([
      [1, 1],
      [2, 0],
    ]);
    const phases = recorder.phases(2000);
    expect(phases.map((p) => [p.name, p.startSecond, p.endSecond, p.requests, p.requestsPerSecond])).toEqual([
      ['before', 0, 1, 2, 2],
      ['during', 1, 2, 1, 1],
    ]);
    expect(phases[1]!.latencyMs.p99).toBeCloseTo(5, 2);
    recorder.destroy();
  });
});
