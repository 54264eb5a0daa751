import { execFile, execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../cli/duration.ts';
import { stormJump } from '../../scenarios/definitions/refresh-storm.ts';
import { defaultConfig } from '../../server/config.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function hasCompose(): boolean {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function compose(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'docker-compose',
      ['-f', 'docker-compose.yml', ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const required = process.env.SESSIONPROOF_REQUIRE_COMPOSE === '1';
const available = hasCompose();
if (!available && !required)
  console.warn(
    'docker-compose is not installed: skipping the docker-compose.yml checks (SESSIONPROOF_REQUIRE_COMPOSE=1 makes this a failure)',
  );

describe.skipIf(!available && !required)('docker-compose.yml', () => {
  it('is valid: docker-compose config -q', async () => {
    expect(available, 'docker-compose is required (SESSIONPROOF_REQUIRE_COMPOSE=1) but not installed').toBe(true);
    const { code, stderr } = await compose(['config', '-q']);
    expect(code, stderr).toBe(0);
  });

  it('serves the reference server on Redis with test controls, next to PostgreSQL and a k6 service running the bundled scenarios', async () => {
    const { code, stdout, stderr } = await compose(['config']);
    expect(code, stderr).toBe(0);
    for (const service of ['server', 'redis', 'postgres', 'k6']) expect(stdout).toContain(`\n  ${service}:\n`);
    expect(stdout).toMatch(
      /- serve\n\s+- --host\n\s+- 0\.0\.0\.0\n\s+- --store\n\s+- redis:\/\/redis:6379\n\s+- --test-controls/,
    );
    expect(stdout).toContain('image: grafana/k6');
    expect(stdout).toContain('BASE_URL: http://server:3000');
    expect(stdout).toMatch(/dist\/k6:\/scripts:ro|target: \/scripts/);
    const scripts = /for s in ([a-z -]+); do/.exec(stdout)?.[1]?.split(' ') ?? [];
    expect(scripts.sort()).toEqual(['cart-contention', 'cleanup-under-load', 'refresh-storm', 'session-churn']);
  });

  it('gives the server access tokens that refresh-storm can expire while the sessions stay live', async () => {
    const { code, stdout, stderr } = await compose(['config']);
    expect(code, stderr).toBe(0);
    const flag = (name: string) => {
      const value = new RegExp(`- --${name}\\n\\s+- (\\S+)`).exec(stdout)?.[1];
      return value === undefined ? undefined : parseDuration(value.replace(/^['"]|['"]$/g, ''));
    };
    const accessTokenMs = flag('access-token-lifetime');
    expect(accessTokenMs, 'the server command sets --access-token-lifetime').toBeTypeOf('number');
    const jump = stormJump({
      controls: { clock: /- --test-controls/.test(stdout) },
      timeouts: {
        idleMs: flag('idle-timeout') ?? defaultConfig.idleTimeoutMs,
        absoluteMs: flag('absolute-timeout') ?? defaultConfig.absoluteTimeoutMs,
        accessTokenMs: accessTokenMs!,
      },
    });
    expect(jump).toHaveProperty('advanceMs');
  });

  it('switches the server to PostgreSQL through SESSIONPROOF_STORE', async () => {
    const url = 'postgres://postgres:sessionproof@postgres:5432/sessionproof';
    const { code, stdout, stderr } = await compose(['config'], { SESSIONPROOF_STORE: url });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`- ${url}`);
  });
});

describe('Dockerfile', () => {
  it('builds this repository on node:20-slim with npm ci and serves on all interfaces over Redis with test controls', async () => {
    const dockerfile = await readFile(`${root}Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toContain(
      'CMD ["serve", "--host", "0.0.0.0", "--store", "redis://redis:6379", "--test-controls"]',
    );
    expect(dockerfile).not.toMatch(/NODE_ENV=production/);
  });
});
