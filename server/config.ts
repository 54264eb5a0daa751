import type { MergeStrategy } from './stores/store.ts';

const minute = 60_000;

/** Everything a deployment can tune. Defaults come from the systems this project grew out of. */
export interface ServerConfig {
  /** Test controls (`/__control/*`): never on unless asked for. */
  testControls: boolean;
  /** Outside dev, cookies are Secure and `X-Forwarded-Proto` is trusted. */
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

export const defaultConfig: ServerConfig = {
  testControls: false,
  dev: process.env.NODE_ENV !== 'production',
  cookieName: 'sp.sid',
  cookieKeys: ['sessionproof-dev-cookie-key'],
  jwtSecret: 'sessionproof-dev-jwt-secret-change-me',
  idleTimeoutMs: 15 * minute,
  absoluteTimeoutMs: 160 * minute,
  guestIdleTimeoutMs: 24 * 60 * minute,
  accessTokenMs: 30 * minute,
  refreshGraceMs: 10_000,
  maxAddQuantity: 1000,
  maxLineQuantity: 1_000_000,
  mergeStrategy: 'sum',
  skus: defaultSkus(),
  bodyLimitBytes: 16 * 1024,
  sweepIntervalMs: 60_000,
  sweepBatchSize: 1000,
  sweepSliceMs: 2,
  sweepBudgetPercent: 10,
  seedUsers: 10,
  password: 'sessionproof',
  passwordCost: 1 << 12,
  logLevel: 'info',
};

export function resolveConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const config = { ...defaultConfig, ...overrides };
  if (!config.dev && config.cookieKeys === defaultConfig.cookieKeys) {
    throw new Error(
      'outside dev, set cookie keys (SESSIONPROOF_COOKIE_KEYS) and a JWT secret (SESSIONPROOF_JWT_SECRET)',
    );
  }
  return config;
}
