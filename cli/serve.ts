import { defaultConfig, resolveConfig } from '../server/config.ts';
import { createServer } from '../server/index.ts';
import { openStore } from '../server/stores/index.ts';
import { faultOption, integerOption, parseCommand, UsageError } from './args.ts';
import { runSelfCheck } from './self-check.ts';

const usage = `sessionproof serve [--store memory|URL] [--host 127.0.0.1] [--port 3000] [--test-controls]
                   [--users N] [--password P] [--log-level info] [--fault ID]... [--self-check]
                   [--sweep-budget PERCENT] [--sweep-slice-ms MS]`;

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
    },
    usage,
  );
  const sweepBudgetPercent = integerOption(values['sweep-budget'], 'sweep-budget', defaultConfig.sweepBudgetPercent, 1);
  if (sweepBudgetPercent > 100) throw new UsageError('--sweep-budget must be a percentage from 1 to 100');
  const store = await openStore(values.store);
  const config = resolveConfig({
    testControls: values['test-controls'],
    seedUsers: integerOption(values.users, 'users', 10),
    logLevel: values['log-level'],
    sweepBudgetPercent,
    sweepSliceMs: integerOption(values['sweep-slice-ms'], 'sweep-slice-ms', defaultConfig.sweepSliceMs, 1),
    ...(values.password ? { password: values.password } : {}),
    ...(process.env.SESSIONPROOF_COOKIE_KEYS ? { cookieKeys: process.env.SESSIONPROOF_COOKIE_KEYS.split(',') } : {}),
    ...(process.env.SESSIONPROOF_JWT_SECRET ? { jwtSecret: process.env.SESSIONPROOF_JWT_SECRET } : {}),
  });
  faultOption(values.fault);
  const server = await createServer({ config, store, faults: values.fault });
  const url = await server.listen(integerOption(values.port, 'port', 3000), values.host);
  server.services.logger.info(
    { url, store: store.kind, testControls: config.testControls, faults: values.fault },
    'listening',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.services.logger.info({ signal }, 'shutting down: finishing in-flight requests');
    await server.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  if (values['self-check']) {
    const passed = await runSelfCheck(url, config.password);
    console.log(passed ? `\nserving on ${url} (Ctrl-C to stop)` : '\nself-check failed');
    if (!passed) await stop('self-check');
  }
}
