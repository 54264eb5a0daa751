/**
 * The server's notion of "now". Every time-based rule reads it, so suites can test a 15-minute idle timeout by
 * advancing the clock instead of waiting. It only ever moves forward.
 */
export interface Clock {
  now(): number;
  advance(ms: number): number;
  /**
   * Stops the clock at `at` (never earlier than now): from then on only `advance` moves it, so a suite can land a
   * request on the exact millisecond a session expires.
   */
  freeze(at: number): number;
  /** Lets a frozen clock run again from where it stands. */
  thaw(): number;
  reset(): void;
}

export function createClock(base: () => number = Date.now): Clock {
  let offsetMs = 0;
  let frozenAt: number | null = null;
  const now = () => frozenAt ?? base() + offsetMs;
  return {
    now,
    advance(ms) {
      if (frozenAt === null) offsetMs += ms;
      else frozenAt += ms;
      return now();
    },
    freeze(at) {
      frozenAt = Math.max(at, now());
      return frozenAt;
    },
    thaw() {
      if (frozenAt !== null) offsetMs = frozenAt - base();
      frozenAt = null;
      return now();
    },
    reset() {
      offsetMs = 0;
      frozenAt = null;
    },
  };
}
