import { defaultConfig, resolveConfig } from '../server/config.ts';
import { createServer } from '../server/index.ts';
import { openStore } from '../server/stores/index.ts';
import { faultOption, integerOption, parseCommand, UsageError } from './args.ts';
import { runSelfCheck } from './self-check.ts';
import { timeoutOptions, timeoutOverrides, timeoutUsage } from './timeouts.ts';

const usage = `sessionproof serve [--store memory|URL] [--host 127.0.0.1] [--port 3000] [--test-controls]
                   [--users N] [--password P] [--log-level info] [--fault ID]... [--self-check]
                   [--sweep-budget PERCENT] [--sweep-slice-ms MS]

Starts the reference server. Outside dev (NODE_ENV=production) it needs SESSIONPROOF_JWT_SECRET and
SESSIONPROOF_COOKIE_KEYS, each secret at least 32 bytes; docs/configuration.md lists every setting.
  --store S        memory (default), redis://HOST:PORT[/DB][?prefix=sp:] or postgres://USER@HOST:PORT/DB[?schema=S]
  --host H         the address to listen on (default 127.0.0.1)
  --port N         the port to listen on (default 3000; 0 picks a free one)
  --test-controls  mount /__control/* (clock, sweep, reset, users) for the suites; never in production
  --users N        seeded users user1@example.test ... userN@example.test (default 10)
  --password P     their password (default sessionproof)
  --log-level L    pino level: fatal, error, warn, info (default), debug, trace, silent
  --fault ID       switch into a catalogued bug (\`sessionproof faults\` lists them); repeatable
  --self-check     walk through the contract once after starting; stop if a step fails
  --sweep-budget P the share of a busy server's time the expiry sweeper may take, 1-100 (default 5)
  --sweep-slice-ms the time one sweep slice aims at before it yields to requests (default 2)
                   ${timeoutUsage}
  --touch-window D a request moves a session's idle timer only once it is more than D behind, so most reads do not
                   write; a session may expire up to D early (default 1% of the shorter idle timeout: 9s)
Durations: milliseconds (900000) or a number with a unit (250ms, 30s, 15m, 2h, 1d).`;

export async function serve(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      store: { type: 'string', default: 'memory' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '3000' },
      'test-controls': { type: 'boolean', default: false },
      users: { type: 'string' },
      password: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      'self-check': { type: 'boolean', default: false },
      fault: { type: 'string', multiple: true, default: [] },
      'sweep-budget': { type: 'string' },
      'sweep-slice-ms': { type: 'string' },
      ...timeoutOptions,
    },
    usage,
  );
  // checked before the store opens: a mistyped flag or a refused configuration leaves nothing half started
  const timeouts = timeoutOverrides(values);
  const sweepBudgetPercent = integerOption(values['sweep-budget'], 'sweep-budget', defaultConfig.sweepBudgetPercent, 1);
  if (sweepBudgetPercent > 100) throw new UsageError('--sweep-budget must be a percentage from 1 to 100');
  const config = resolveConfig({
    ...timeouts,
    testControls: values['test-controls'],
    seedUsers: integerOption(values.users, 'users', 10),
    logLevel: values['log-level'],
    sweepBudgetPercent,
    sweepSliceMs: integerOption(values['sweep-slice-ms'], 'sweep-slice-ms', defaultConfig.sweepSliceMs, 1),
    ...(values.password ? { password: values.password } : {}),
  });
  faultOption(values.fault);
  const store = await openStore(values.store);
  const server = await createServer({ config, store, faults: values.fault });
  const url = await server.listen(integerOption(values.port, 'port', 3000), values.host);
  server.services.logger.info(
    { url, store: store.kind, testControls: config.testControls, faults: values.fault },
    'listening',
  );

  let stopping = false;
  const stop = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    server.services.logger.info({ signal }, 'shutting down: finishing in-flight requests');
    await server.close();
    await store.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  if (values['self-check']) {
    const passed = await runSelfCheck(url, config.password);
    console.log(passed ? `\nserving on ${url} (Ctrl-C to stop)` : '\nself-check failed');
    // a script that starts the server to check it must see the failure in the exit code
    if (!passed) await stop('self-check', 1);
  }
}
