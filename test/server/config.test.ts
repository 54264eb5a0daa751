import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, resolveConfig } from '../../server/config.ts';

const strong = () => randomBytes(32).toString('base64');
const production = (secrets: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ NODE_ENV: 'production', ...secrets });

/** The problems resolveConfig names for this environment, or [] when it accepts it. */
function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    resolveConfig({}, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('resolveConfig outside dev', () => {
  it('refuses to start without secrets, naming both', () => {
    expect(problems(production())).toEqual([
      expect.stringMatching(/^the JWT secret \(SESSIONPROOF_JWT_SECRET\) is not set/),
      expect.stringMatching(/^the cookie keys \(SESSIONPROOF_COOKIE_KEYS\) are not set/),
    ]);
  });

  it('refuses cookie keys without a JWT secret: the case that used to start with the published JWT secret', () => {
    expect(problems(production({ SESSIONPROOF_COOKIE_KEYS: strong() }))).toEqual([
      expect.stringMatching(/^the JWT secret \(SESSIONPROOF_JWT_SECRET\) is not set/),
    ]);
  });

  it('refuses a JWT secret without cookie keys', () => {
    expect(problems(production({ SESSIONPROOF_JWT_SECRET: strong() }))).toEqual([
      expect.stringMatching(/^the cookie keys \(SESSIONPROOF_COOKIE_KEYS\) are not set/),
    ]);
  });

  it('refuses every published default, whichever variable carries it', () => {
    for (const published of [
      'sessionproof-dev-cookie-key',
      'sessionproof-dev-jwt-secret-change-me',
      'sessionproof-bench-key',
      'sessionproof',
    ]) {
      expect(problems(production({ SESSIONPROOF_JWT_SECRET: published, SESSIONPROOF_COOKIE_KEYS: strong() }))).toEqual([
        `the JWT secret (SESSIONPROOF_JWT_SECRET) is "${published}", a default published in sessionproof's repository`,
      ]);
      expect(problems(production({ SESSIONPROOF_JWT_SECRET: strong(), SESSIONPROOF_COOKIE_KEYS: published }))).toEqual([
        `the cookie key (SESSIONPROOF_COOKIE_KEYS) is "${published}", a default published in sessionproof's repository`,
      ]);
    }
  });

  it('names each weak cookie key of several, and a secret under 32 bytes', () => {
    const env = production({
      SESSIONPROOF_JWT_SECRET: 'x'.repeat(31),
      SESSIONPROOF_COOKIE_KEYS: `${strong()},short,,${strong()}`,
    });
    expect(problems(env)).toEqual([
      'the JWT secret (SESSIONPROOF_JWT_SECRET) is 31 bytes; at least 32 are needed',
      'cookie key 2 of 4 (SESSIONPROOF_COOKIE_KEYS) is 5 bytes; at least 32 are needed',
      'cookie key 3 of 4 (SESSIONPROOF_COOKIE_KEYS) is empty',
    ]);
  });

  it('counts bytes, not characters', () => {
    const multibyte = 'é'.repeat(16); // 16 characters, 32 bytes in UTF-8
    expect(problems(production({ SESSIONPROOF_JWT_SECRET: multibyte, SESSIONPROOF_COOKIE_KEYS: strong() }))).toEqual(
      [],
    );
    expect(
      problems(production({ SESSIONPROOF_JWT_SECRET: multibyte.slice(1), SESSIONPROOF_COOKIE_KEYS: strong() })),
    ).toEqual(['the JWT secret (SESSIONPROOF_JWT_SECRET) is 30 bytes; at least 32 are needed']);
  });

  it('checks secrets given in code as well as through the environment', () => {
    expect(() => resolveConfig({ dev: false, cookieKeys: [strong()], jwtSecret: 'too-short' }, {})).toThrow(
      ConfigError,
    );
    expect(() => resolveConfig({ dev: false, cookieKeys: [], jwtSecret: strong() }, {})).toThrow(
      /the cookie keys \(SESSIONPROOF_COOKIE_KEYS\) are empty/,
    );
  });

  it('starts with strong secrets, and uses them', () => {
    const jwtSecret = strong();
    const keys = [strong(), strong()];
    const config = resolveConfig(
      {},
      production({ SESSIONPROOF_JWT_SECRET: jwtSecret, SESSIONPROOF_COOKIE_KEYS: keys.join(',') }),
    );
    expect(config).toMatchObject({ dev: false, jwtSecret, cookieKeys: keys });
  });

  it('puts every problem in one message, with what to do', () => {
    expect(() => resolveConfig({}, production({ SESSIONPROOF_COOKIE_KEYS: 'short' }))).toThrow(
      /SESSIONPROOF_JWT_SECRET\) is not set.*\n.*SESSIONPROOF_COOKIE_KEYS\) is 5 bytes.*\nSet each to at least 32 random bytes/,
    );
  });
});

describe('resolveConfig in dev', () => {
  it('runs on the built-in secrets when NODE_ENV is not production', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      const config = resolveConfig({}, { NODE_ENV });
      expect(config.dev).toBe(true);
      expect(config.jwtSecret).toBe(defaultConfig.jwtSecret);
      expect(config.cookieKeys).toEqual(defaultConfig.cookieKeys);
    }
  });

  it('still takes the secrets the environment gives', () => {
    expect(resolveConfig({}, { SESSIONPROOF_JWT_SECRET: 'dev-secret', SESSIONPROOF_COOKIE_KEYS: 'a,b' })).toMatchObject(
      {
        jwtSecret: 'dev-secret',
        cookieKeys: ['a', 'b'],
      },
    );
  });
});

describe('the touch window', () => {
  it('defaults to 1% of the shorter idle timeout, following the timeouts it is resolved with', () => {
    expect(resolveConfig().touchWindowMs).toBe(defaultConfig.touchWindowMs);
    expect(defaultConfig.touchWindowMs).toBe(defaultConfig.idleTimeoutMs / 100);
    expect(resolveConfig({ idleTimeoutMs: 60_000 }).touchWindowMs).toBe(600);
    expect(resolveConfig({ guestIdleTimeoutMs: 1000 }).touchWindowMs).toBe(10);
  });

  it('takes the value it is given, 0 included', () => {
    expect(resolveConfig({ touchWindowMs: 0 }).touchWindowMs).toBe(0);
    expect(resolveConfig({ idleTimeoutMs: 60_000, touchWindowMs: 5000 }).touchWindowMs).toBe(5000);
  });
});
