/**
 * The server's notion of "now". Every time-based rule reads it, so suites can test a 15-minute idle timeout by
 * advancing the clock instead of waiting. It only ever moves forward.
 */
export interface Clock {
  now(): number;
  advance(ms: number): number;
  reset(): void;
}

export function createClock(base: () => number = Date.now): Clock {
  let offsetMs = 0;
  return {
    now: () => base() + offsetMs,
    advance(ms) {
      offsetMs += ms;
      return base() + offsetMs;
    },
    reset() {
      offsetMs = 0;
    },
  };
}
