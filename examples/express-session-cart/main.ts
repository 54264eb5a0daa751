import { start } from './server.ts';

const env = process.env;
const app = await start({
  host: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 3000),
  secret: env.SESSION_SECRET,
  redisUrl: env.REDIS_URL,
  sessionMaxAgeMs: env.SESSION_MAX_AGE_MS ? Number(env.SESSION_MAX_AGE_MS) : undefined,
  lookupDelayMs: env.LOOKUP_DELAY_MS ? Number(env.LOOKUP_DELAY_MS) : undefined,
});
console.log(`express-session-cart listening on ${app.url}${env.REDIS_URL ? ' (sessions in Redis)' : ''}`);

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
