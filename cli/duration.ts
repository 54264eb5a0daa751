import { UsageError } from './args.ts';

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** How long each property may wait for an app's timeouts in real time, where the app has no clock control. */
export const defaultRealTimeBudgetMs = 2 * unitMs.m;

/** The longest duration a flag accepts: the clock control's limit, far beyond any timeout a deployment means. */
export const maxDurationMs = 10 * 365 * unitMs.d;

/** `15m`, `30s`, `2h`, `1d`, `250ms`, or a bare number of milliseconds; null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * unitMs[(match[2] ?? 'ms') as keyof typeof unitMs];
  return Number.isSafeInteger(ms) ? ms : null;
}

/** The shortest exact spelling: 900000 ms is `15m`, 9600000 ms is `160m`. */
export function formatDuration(ms: number): string {
  const [unit, size] = Object.entries(unitMs)
    .reverse()
    .find(([, size]) => ms % size === 0 && ms >= size) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

/** A duration flag in milliseconds, or a usage error naming the flag and the accepted forms. */
export function durationOption(value: string | undefined, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === null || ms < min || ms > maxDurationMs)
    throw new UsageError(
      `--${name} must be a duration of at least ${min} ms and at most 10 years: milliseconds (900000) or a number ` +
        `with a unit (250ms, 30s, 15m, 2h, 1d), not "${value}"`,
    );
  return ms;
}
