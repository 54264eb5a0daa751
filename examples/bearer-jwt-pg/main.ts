import { start } from './server.ts';

const env = process.env;
if (!env.DATABASE_URL) {
  console.error('DATABASE_URL is required (postgres://user@host:5432/db)');
  process.exit(1);
}
const app = await start({
  databaseUrl: env.DATABASE_URL,
  schema: env.PGSCHEMA,
  jwtSecret: env.JWT_SECRET ?? '',
  accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS ? Number(env.ACCESS_TOKEN_TTL_SECONDS) : undefined,
  refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS ? Number(env.REFRESH_TOKEN_TTL_SECONDS) : undefined,
  host: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 3000),
}).catch((err: Error) => {
  console.error(`bearer-jwt-pg: ${err.message}`);
  process.exit(1);
});
console.log(`bearer-jwt-pg listening on ${app.url}`);

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
