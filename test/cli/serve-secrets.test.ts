import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { sessionproof, startSessionproof } from './spawn.ts';

const strong = () => randomBytes(32).toString('base64');

describe('sessionproof serve with NODE_ENV=production', () => {
  it('refuses cookie keys without a JWT secret: one block naming it, no stack trace, exit 2', async () => {
    const { code, stdout, stderr } = await sessionproof(['serve', '--port', '0'], {
      NODE_ENV: 'production',
      SESSIONPROOF_COOKIE_KEYS: strong(),
      SESSIONPROOF_JWT_SECRET: '',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^refusing to start outside dev \(NODE_ENV=production\)/);
    expect(stderr).toContain('the JWT secret (SESSIONPROOF_JWT_SECRET) is not set');
    expect(stderr).not.toContain('SESSIONPROOF_COOKIE_KEYS) is');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('names every missing and weak secret at once', async () => {
    const { code, stderr } = await sessionproof(['serve', '--port', '0'], {
      NODE_ENV: 'production',
      SESSIONPROOF_COOKIE_KEYS: `${strong()},sessionproof-dev-cookie-key`,
      SESSIONPROOF_JWT_SECRET: 'sessionproof-dev-jwt-secret-change-me',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('the JWT secret (SESSIONPROOF_JWT_SECRET) is "sessionproof-dev-jwt-secret-change-me"');
    expect(stderr).toContain('cookie key 2 of 2 (SESSIONPROOF_COOKIE_KEYS) is "sessionproof-dev-cookie-key"');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('starts and serves with strong secrets, and stops on SIGTERM', async () => {
    const child = startSessionproof(['serve', '--host', '127.0.0.1', '--port', '0', '--users', '1'], {
      NODE_ENV: 'production',
      SESSIONPROOF_COOKIE_KEYS: `${strong()},${strong()}`,
      SESSIONPROOF_JWT_SECRET: strong(),
    });
    const exited = once(child, 'exit');
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    try {
      let url: string | undefined;
      for await (const line of createInterface({ input: child.stdout! })) {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'listening') {
          url = entry.url;
          break;
        }
      }
      expect(url, stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      // outside dev the server insists on HTTPS (behind a TLS-terminating proxy): the production path is live
      const session = await fetch(`${url}/session`);
      expect(session.status).toBe(403);
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code, stderr).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('every other command that starts the reference server, with NODE_ENV=production', () => {
  for (const command of [['run'], ['props'], ['zoo'], ['load', 'cart-contention'], ['bench']]) {
    it(`${command.join(' ')} refuses before starting anything, with the same block`, { timeout: 90_000 }, async () => {
      const { code, stdout, stderr } = await sessionproof(command, {
        NODE_ENV: 'production',
        SESSIONPROOF_COOKIE_KEYS: '',
        SESSIONPROOF_JWT_SECRET: '',
      });
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^refusing to start outside dev \(NODE_ENV=production\)/);
      expect(stderr).toContain('the cookie keys (SESSIONPROOF_COOKIE_KEYS) are not set');
      expect(stderr).not.toMatch(/^\s+at /m);
    });
  }
});
