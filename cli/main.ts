import { AdapterError } from '../adapters/adapter.ts';
import { TargetError } from '../adapters/target-error.ts';
import { adapterCommand } from './adapter.ts';
import { ConfigError } from '../server/config.ts';
import { HelpRequest, UsageError } from './args.ts';
import { bench } from './bench.ts';
import { listFaults } from './faults.ts';
import { k6 } from './k6.ts';
import { load } from './load.ts';
import { gate } from './gate.ts';
import { props } from './props.ts';
import { report } from './report.ts';
import { run } from './run.ts';
import { serve } from './serve.ts';
import { zoo } from './zoo.ts';

const commands: Record<string, { run: (argv: string[]) => Promise<void>; summary: string }> = {
  run: { run, summary: 'the main job: serve, run the suites, the load scenarios and a short zoo, write one report' },
  serve: { run: serve, summary: 'start the reference server' },
  adapter: { run: adapterCommand, summary: 'adapter check: walk each operation of an adapter once against your app' },
  props: { run: props, summary: 'run the property suites against a server' },
  faults: { run: listFaults, summary: 'list the catalogued production bugs the server can be switched into' },
  zoo: { run: zoo, summary: 'switch the server into each catalogued fault and show which suite catches it' },
  bench: {
    run: bench,
    summary:
      'measure the reference server against bare Node and its peers (koa-session, express-session) on each store',
  },
  load: { run: load, summary: 'run a load scenario (refresh storm, cleanup, cart contention, churn) and check it' },
  k6: { run: k6, summary: 'bundle the k6 scripts for k6 run, docker-compose or k6-operator, with your adapter inside' },
  report: { run: report, summary: 'render a report folder (Markdown, HTML, JUnit) from a summary.json' },
  gate: { run: gate, summary: 'compare a run with a baseline; exit non-zero on regression' },
};

function help(): string {
  const lines = Object.entries(commands).map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`);
  return `usage: sessionproof <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

const [name, ...argv] = process.argv.slice(2);
if (name === '--help' || name === '-h' || name === 'help') {
  process.stdout.write(help());
  process.exit(0);
}
const command = name === undefined ? undefined : commands[name];
if (!command) {
  process.stderr.write(name === undefined ? help() : `unknown command "${name}"\n\n${help()}`);
  process.exit(name === undefined ? 0 : 2);
}
try {
  await command.run(argv);
} catch (error) {
  if (error instanceof HelpRequest) {
    process.stdout.write(`${error.message}\n`);
    process.exit(0);
  }
  if (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof TargetError ||
    error instanceof AdapterError
  ) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (process.env.SESSIONPROOF_DEBUG === '1') throw error;
  process.stderr.write(
    `sessionproof ${name}: ${error instanceof Error ? error.message : String(error)}\n` +
      '(set SESSIONPROOF_DEBUG=1 to see the stack trace)\n',
  );
  process.exit(1);
}
