import { afterEach, expect, it, vi } from 'vitest';
import { runSelfCheck } from '../../cli/self-check.ts';
import { createServer, type ReferenceServer } from '../../server/index.ts';
import { sessionproof } from './spawn.ts';

const running: ReferenceServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  vi.restoreAllMocks();
});

async function serve(faults: string[] = []): Promise<string> {
  const server = await createServer({ faults, config: { testControls: true, logLevel: 'silent', seedUsers: 1 } });
  running.push(server);
  return server.listen(0, '127.0.0.1');
}

it('passes on the clean reference server', async () => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  expect(await runSelfCheck(await serve(), 'sessionproof')).toBe(true);
});

it('fails, naming the step, when logout does not stick', async () => {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  expect(await runSelfCheck(await serve(['logout-keeps-server-session']), 'sessionproof')).toBe(false);
  expect(lines.find((line) => line.includes('FAIL'))).toMatch(/logout sticks/);
});

it('serve --self-check on a server that fails a step stops with exit code 1', async () => {
  const { code, stdout } = await sessionproof(
    ['serve', '--host', '127.0.0.1', '--port', '0', '--self-check', '--fault', 'session-id-per-request'],
    { LOG_LEVEL: 'silent' },
  );
  expect(stdout).toContain('self-check failed');
  expect(code).toBe(1);
});
