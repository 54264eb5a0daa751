import { parseUsers, start } from './server.ts';

const env = process.env;
const app = await start({
  host: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 3000),
  idleTimeoutMs: env.IDLE_TIMEOUT_MS ? Number(env.IDLE_TIMEOUT_MS) : undefined,
  sweepIntervalMs: env.SWEEP_INTERVAL_MS ? Number(env.SWEEP_INTERVAL_MS) : undefined,
  users: env.USERS ? parseUsers(env.USERS) : undefined,
});
console.log(`session-in-path-koa listening on ${app.url}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
