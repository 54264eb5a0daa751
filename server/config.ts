import type { MergeStrategy } from './stores/store.ts';

const minute = 60_000;

/** Everything a deployment can tune. Defaults come from the systems this project grew out of. */
export interface ServerConfig {
  /** Test controls (`/__control/*`): never on unless asked for. */
  testControls: boolean;
  /** Outside dev (`NODE_ENV=production`) cookies are Secure, `X-Forwarded-Proto` is trusted and secrets must be real. */
  dev: boolean;
  cookieName: string;
  /** Cookie signing keys, newest first (koa keygrip rotation). */
  cookieKeys: string[];
  jwtSecret: string;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  guestIdleTimeoutMs: number;
  accessTokenMs: number;
  refreshGraceMs: number;
  /**
   * A request moves a session's `lastSeenAt` only once it is more than this far behind, so most reads do not write
   * the session; the idle expiry may then come up to this much earlier than the last request + idle. 0 moves it on
   * every request. Left out, 1% of the shorter idle timeout (touchWindowFor).
   */
  touchWindowMs: number;
  maxAddQuantity: number;
  maxLineQuantity: number;
  mergeStrategy: MergeStrategy;
  skus: string[];
  bodyLimitBytes: number;
  sweepIntervalMs: number;
  /** The most sessions one store call of the sweep removes. */
  sweepBatchSize: number;
  /** The sweep's time budget per slice (one store call); batches are sized to fit it. */
  sweepSliceMs: number;
  /** The share of a busy server, in percent, the sweep may take (1-100); live traffic gets the rest. */
  sweepBudgetPercent: number;
  seedUsers: number;
  password: string;
  /** scrypt cost (N); the reference server favours login throughput over brute-force resistance. */
  passwordCost: number;
  logLevel: string;
}

export function defaultSkus(count = 200): string[] {
  return Array.from({ length: count }, (_, i) => `SKU-${String(i + 1).padStart(4, '0')}`);
}

/** The built-in secrets. They are published with the code, so they are fit for dev only. */
const devSecrets = { cookieKey: 'sessionproof-dev-cookie-key', jwtSecret: 'sessionproof-dev-jwt-secret-change-me' };

/**
 * Every secret-like default this repository ships (the dev secrets, the bench peers' cookie key, the seeded users'
 * password): anyone can read them, so outside dev none of them may sign anything.
 */
const publishedSecrets = new Set([
  devSecrets.cookieKey,
  devSecrets.jwtSecret,
  'sessionproof-bench-key',
  'sessionproof',
]);

/** The shortest secret accepted outside dev: 256 bits, the HMAC-SHA256 key size the JWTs are signed with. */
export const minSecretBytes = 32;

export const defaultConfig: ServerConfig = {
  testControls: false,
  dev: true,
  cookieName: 'sp.sid',
  cookieKeys: [devSecrets.cookieKey],
  jwtSecret: devSecrets.jwtSecret,
  idleTimeoutMs: 15 * minute,
  absoluteTimeoutMs: 160 * minute,
  guestIdleTimeoutMs: 24 * 60 * minute,
  accessTokenMs: 30 * minute,
  refreshGraceMs: 10_000,
  touchWindowMs: 9_000,
  maxAddQuantity: 1000,
  maxLineQuantity: 1_000_000,
  mergeStrategy: 'sum',
  skus: defaultSkus(),
  bodyLimitBytes: 16 * 1024,
  sweepIntervalMs: 60_000,
  sweepBatchSize: 1000,
  sweepSliceMs: 2,
  sweepBudgetPercent: 5,
  seedUsers: 10,
  password: 'sessionproof',
  passwordCost: 1 << 12,
  logLevel: 'info',
};

/** The default touch window: 1% of the shorter idle timeout (9 s for the default 15 min). */
export function touchWindowFor(config: Pick<ServerConfig, 'idleTimeoutMs' | 'guestIdleTimeoutMs'>): number {
  return Math.floor(Math.min(config.idleTimeoutMs, config.guestIdleTimeoutMs) / 100);
}

/** What the environment sets: dev unless `NODE_ENV=production`, and the secrets when given. */
function environmentConfig(env: NodeJS.ProcessEnv = process.env): Partial<ServerConfig> {
  return {
    dev: env.NODE_ENV !== 'production',
    ...(env.SESSIONPROOF_COOKIE_KEYS ? { cookieKeys: env.SESSIONPROOF_COOKIE_KEYS.split(',') } : {}),
    ...(env.SESSIONPROOF_JWT_SECRET ? { jwtSecret: env.SESSIONPROOF_JWT_SECRET } : {}),
  };
}

/** The defaults, then the environment, then the caller's overrides. Outside dev, refuses missing or weak secrets. */
export function resolveConfig(
  overrides: Partial<ServerConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const config = { ...defaultConfig, ...environmentConfig(env), ...overrides };
  // The default window follows the idle timeouts, so a short timeout is never outrun by a window meant for 15 min.
  if (overrides.touchWindowMs === undefined) config.touchWindowMs = touchWindowFor(config);
  if (!config.dev) {
    const problems = secretProblems(config, env);
    if (problems.length > 0) throw new ConfigError(problems);
  }
  return config;
}

/** A configuration the server refuses to start with; `message` is the whole explanation, one problem a line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      [
        'refusing to start outside dev (NODE_ENV=production) with missing or unsafe secrets:',
        ...problems.map((problem) => `  - ${problem}`),
        `Set each to at least ${minSecretBytes} random bytes, e.g. \`openssl rand -base64 48\`. SESSIONPROOF_COOKIE_KEYS takes`,
        'several keys, comma-separated, newest first. Only dev (NODE_ENV unset or not "production") runs on the',
        'built-in secrets. See docs/configuration.md.',
      ].join('\n'),
    );
  }
}

function secretProblems(config: ServerConfig, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const jwt = 'the JWT secret (SESSIONPROOF_JWT_SECRET)';
  if (config.jwtSecret === devSecrets.jwtSecret && !env.SESSIONPROOF_JWT_SECRET) {
    problems.push(`${jwt} is not set, so access tokens would be signed with the published dev default`);
  } else {
    const weakness = secretWeakness(config.jwtSecret);
    if (weakness) problems.push(`${jwt} ${weakness}`);
  }
  const keys = config.cookieKeys;
  if (keys.length === 1 && keys[0] === devSecrets.cookieKey && !env.SESSIONPROOF_COOKIE_KEYS) {
    problems.push(
      'the cookie keys (SESSIONPROOF_COOKIE_KEYS) are not set, so cookies would be signed with the published dev default',
    );
  } else if (keys.length === 0) {
    problems.push('the cookie keys (SESSIONPROOF_COOKIE_KEYS) are empty');
  } else {
    keys.forEach((key, i) => {
      const weakness = secretWeakness(key);
      const which = keys.length === 1 ? 'the cookie key' : `cookie key ${i + 1} of ${keys.length}`;
      if (weakness) problems.push(`${which} (SESSIONPROOF_COOKIE_KEYS) ${weakness}`);
    });
  }
  return problems;
}

function secretWeakness(secret: string): string | null {
  if (secret === '') return 'is empty';
  if (publishedSecrets.has(secret)) return `is "${secret}", a default published in sessionproof's repository`;
  const bytes = Buffer.byteLength(secret);
  return bytes < minSecretBytes ? `is ${bytes} bytes; at least ${minSecretBytes} are needed` : null;
}
