import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { runBench } from '../scenarios/bench/bench.ts';
import { formatBench } from '../scenarios/bench/table.ts';
import { integerOption, parseCommand, UsageError } from './args.ts';

const usage = `sessionproof bench [--duration S] [--warmup S] [--rounds N] [--connections N] [--json FILE]
                   [--cpu-prof DIR]

Measures, in one run, bare node:http, koa + koa-session and the reference server (GET /session, GET /cart,
POST /cart/items), each server in its own process, and prints requests/s, p50/p99, server CPU per request and
ratios. Exits non-zero when any target saw a non-2xx response, a connection error, or clients that did not keep
their sessions.
  --duration S     measured seconds per target (default 8)
  --warmup S       discarded warm-up seconds per target (default 2)
  --rounds N       split each target's measurement into N slices, interleaved with the other targets (default 8)
  --connections N  concurrent connections, each one client with its own session (default 32)
  --json FILE      also write the figures as JSON
  --cpu-prof DIR   write V8 CPU profiles of each server process into DIR/<server>/`;

export async function bench(argv: string[]): Promise<void> {
  const { values } = parseCommand(
    argv,
    {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
    usage,
  );
  const profileDir = values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']);
  const report = await runBench({
    durationSeconds: secondsOption(values.duration, 'duration', 8),
    warmupSeconds: secondsOption(values.warmup, 'warmup', 2, 0),
    rounds: integerOption(values.rounds, 'rounds', 8, 1),
    connections: integerOption(values.connections, 'connections', 32, 1),
    nodeArgsFor: profileDir
      ? (server) => ['--cpu-prof', '--cpu-prof-dir', join(profileDir, server.id)]
      : undefined,
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  });
  process.stdout.write(`\n${formatBench(report)}`);
  if (values.json) {
    await mkdir(dirname(resolve(values.json)), { recursive: true });
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`figures written to ${values.json}\n`);
  }
  if (profileDir) process.stdout.write(`CPU profiles written to ${profileDir}\n`);
  if (!report.ok) process.exitCode = 1;
}

function secondsOption(value: string | undefined, name: string, fallback: number, min = 0.1): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > 3600) throw new UsageError(`--${name} must be seconds from ${min} to 3600`);
  return parsed;
}
