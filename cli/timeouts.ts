import { defaultConfig, type ServerConfig } from '../server/config.ts';
import { UsageError, type Options } from './args.ts';
import { durationOption, formatDuration } from './duration.ts';

type TimeoutKey =
  'idleTimeoutMs' | 'absoluteTimeoutMs' | 'guestIdleTimeoutMs' | 'accessTokenMs' | 'refreshGraceMs' | 'touchWindowMs';

/**
 * `serve`'s timeout flags and the config each sets; a grace window or touch window of 0 is valid (none), a timeout of
 * 0 is not.
 */
const timeoutFlags: Record<string, { key: TimeoutKey; min: number }> = {
  'idle-timeout': { key: 'idleTimeoutMs', min: 1 },
  'absolute-timeout': { key: 'absoluteTimeoutMs', min: 1 },
  'guest-idle-timeout': { key: 'guestIdleTimeoutMs', min: 1 },
  'access-token-lifetime': { key: 'accessTokenMs', min: 1 },
  'refresh-grace': { key: 'refreshGraceMs', min: 0 },
  'touch-window': { key: 'touchWindowMs', min: 0 },
};

export const timeoutOptions: Options = Object.fromEntries(
  Object.keys(timeoutFlags).map((flag) => [flag, { type: 'string' as const }]),
);

/** The flags with their defaults, for the usage text: three to a line, indented under `sessionproof serve`. */
const flagUsage = Object.entries(timeoutFlags).map(
  ([flag, { key }]) => `[--${flag} ${formatDuration(defaultConfig[key])}]`,
);
export const timeoutUsage = [flagUsage.slice(0, 3), flagUsage.slice(3)]
  .map((line) => line.join(' '))
  .join('\n                   ');

/** The config overrides the timeout flags ask for; flags left out keep the server's defaults. */
export function timeoutOverrides(values: Record<string, unknown>): Partial<Pick<ServerConfig, TimeoutKey>> {
  const overrides: Partial<Pick<ServerConfig, TimeoutKey>> = {};
  for (const [flag, { key, min }] of Object.entries(timeoutFlags)) {
    const value = values[flag];
    const ms = durationOption(typeof value === 'string' ? value : undefined, flag, min);
    if (ms !== undefined) overrides[key] = ms;
  }
  // A window as long as an idle timeout would let sessions in steady use expire between their requests.
  const shortestIdleMs = Math.min(
    overrides.idleTimeoutMs ?? defaultConfig.idleTimeoutMs,
    overrides.guestIdleTimeoutMs ?? defaultConfig.guestIdleTimeoutMs,
  );
  if (overrides.touchWindowMs !== undefined && overrides.touchWindowMs >= shortestIdleMs)
    throw new UsageError(
      `--touch-window must be shorter than the idle timeouts (the shorter is ${formatDuration(shortestIdleMs)})`,
    );
  return overrides;
}
