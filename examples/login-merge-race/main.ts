import { start } from './server.ts';

const env = process.env;
const app = await start({ host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 3000), secret: env.SESSION_SECRET });
console.log(`login-merge-race listening on ${app.url}`);

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
