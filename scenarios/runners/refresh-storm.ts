import { refreshStorm, type RefreshClientKind } from '../definitions/refresh-storm.ts';
import type { ScenarioResult } from '../../reports/schema.ts';
import { establishClients } from '../load/autocannon-run.ts';
import { controls, type Credentials } from '../load/contract.ts';
import type { DriveResult } from '../load/drive.ts';
import { LatencyRecorder } from '../load/latency-recorder.ts';
import { PoolTransport } from '../load/pool-transport.ts';
import { peakRssBytes, ProcessMeter } from '../load/process-meter.ts';
import { usageFigures } from '../load/usage-window.ts';
import { StormBook, neverBack, recoveryFigures } from '../storm/book.ts';
import { StormClient, type Send } from '../storm/client.ts';
import { oneRequestEach, runLanes } from '../storm/lanes.ts';
import { checkedCounter, distributionOf, scenarioResult, type ScenarioContext } from '../scenario.ts';

export interface RefreshStormOptions {
  parallel?: number;
  clientKind?: RefreshClientKind;
  /**
   * How long the storm may take: it ends when every client is back or signed out, or when this passes. Default:
   * 60 s, or 10 ms per request in flight where that is longer (400 s at 10,000 x 4), since every client needs three
   * answers in turn (the 401, the refresh, the retry) from a queue that long.
   */
  recoveryDeadlineSeconds?: number;
  /** Keep-alive connections all clients share. */
  connections?: number;
  /** Requests in flight on one connection at once (HTTP/1.1 pipelining; 1 = none). */
  pipelining?: number;
}

export const stormDefaults = { connections: 64, pipelining: 1 } as const;

function defaultRecoveryDeadlineSeconds(clients: number, parallel: number): number {
  return Math.max(60, Math.ceil((clients * parallel) / 100));
}

interface LoginReply {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: number;
  session: { createdAt: number; idleExpiresAt: number };
}

/** Clients signing in at once: each login costs the server a password hash, which a larger crowd only queues. */
const signInConcurrency = 32;
const signInAttempts = 5;

/**
 * N signed-in virtual clients, each with k requests in flight (closed loop), over one shared pool of keep-alive
 * connections. After a short steady phase (ended by dropping its pool, queue and all) the server clock jumps past
 * every access token's expiry, and every client fires its k requests at once: each gets a 401, refreshes (naive: from every request that saw
 * it; single-flight: once, shared) and retries. The storm runs until every client is back to 200 or signed out, or
 * the recovery deadline passes. A refresh answered 401 REFRESH_* signs its client out: the client did nothing
 * wrong, so that is a spurious logout.
 *
 * Latency counts from the moment a client sends until the body is read, time queued for a pooled connection
 * included: it is what the client waits. The generator's own CPU share and event-loop delay are reported beside
 * the server's, so a slow server and a saturated generator can be told apart.
 */
export async function runRefreshStorm(
  context: ScenarioContext,
  options: RefreshStormOptions = {},
): Promise<ScenarioResult> {
  const defaults = refreshStorm.defaults;
  const { url } = context.server;
  if (context.load.ratePerSecond !== undefined)
    throw new Error('refresh-storm runs closed-loop virtual clients: a request rate does not apply');
  const clientCount = context.load.clients ?? defaults.clients;
  const parallel = Math.max(1, options.parallel ?? defaults.parallel);
  const kind = options.clientKind ?? defaults.clientKind;
  const durationSeconds = context.load.durationSeconds ?? defaults.durationSeconds;
  const steadyMs = Math.min(defaults.stormAtSecond, durationSeconds / 3) * 1000;
  const deadlineMs = (options.recoveryDeadlineSeconds ?? defaultRecoveryDeadlineSeconds(clientCount, parallel)) * 1000;
  const connections = Math.min(options.connections ?? stormDefaults.connections, clientCount * parallel);
  const pipelining = options.pipelining ?? stormDefaults.pipelining;
  await controls.require(url, ['clock', 'users']);

  let recorder: LatencyRecorder | null = null;
  let stopped = false;
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  const newTransport = () =>
    new PoolTransport({
      url,
      connections,
      pipelining,
      onResponse(status, latencyMs) {
        if (!recorder || stopped) return;
        statusCodes[status] = (statusCodes[status] ?? 0) + 1;
        recorder.record(latencyMs);
      },
      onError(error) {
        if (!recorder || stopped) return;
        errors++;
        if (/TIMEOUT/.test((error as { code?: string }).code ?? '')) timeouts++;
      },
    });
  let transport = newTransport();
  const send: Send = (request) => transport.send(request);
  const book = new StormBook(clientCount);
  const ticker = new ProcessMeter();
  const meter = new ProcessMeter();
  try {
    const users = await controls.users(url, clientCount);
    let idleMs = Infinity;
    let latestExpiry = 0;
    let signedIn = 0;
    const signInTicker = setInterval(() => context.progress(`signed in ${signedIn}/${clientCount}`), 1000);
    const clients = await establishClients(
      clientCount,
      async (index) => {
        const login = await signIn(send, users[index]!);
        idleMs = Math.min(idleMs, login.session.idleExpiresAt - login.session.createdAt);
        latestExpiry = Math.max(latestExpiry, login.accessTokenExpiresAt);
        signedIn++;
        return new StormClient(index, login, kind, book);
      },
      signInConcurrency,
    ).finally(() => clearInterval(signInTicker));
    context.progress(
      `${clientCount} ${kind} clients signed in, ${parallel} parallel requests each, over ${connections} connections` +
        (pipelining > 1 ? ` (pipelining ${pipelining})` : ''),
    );

    const load = new LatencyRecorder({ expectedIntervalUs: null });
    recorder = load;
    let phase = 'before-expiry';
    let reported = 0;
    ticker.lap();
    let tickedAt = performance.now();
    const progress = setInterval(() => {
      const usage = ticker.lap();
      const cpuShare = Math.round(usage.cpuMicros / 10 / (performance.now() - tickedAt));
      tickedAt = performance.now();
      for (const point of load.completedSeconds(reported)) {
        context.progress(
          `${phase} second ${point.second + 1}: ${point.requestsPerSecond} req/s, ${book.progressLine()}, ` +
            `generator CPU ${cpuShare}% of a core, event-loop delay p99 ${usage.loopDelayMs.p99} ms`,
        );
        reported = point.second + 1;
      }
    }, 1000);
    try {
      // The steady phase lasts its time and at least as many answers as there are clients (at 10,000 x 4, submitting
      // the first 40,000 requests alone can outlast its seconds), within the recovery deadline. It ends by destroying
      // its pool, queue and all: draining the queue would take as long again, and the storm must start from quiet
      // connections (a new pool).
      load.mark('before-expiry');
      let steadyOver = false;
      const steadyTimer = setInterval(() => {
        const elapsedMs = load.elapsedMs();
        if (elapsedMs < steadyMs || (book.requests < clientCount && elapsedMs < deadlineMs)) return;
        steadyOver = true;
        void transport.destroy();
      }, 20);
      await runLanes(clients, parallel, send, () => steadyOver);
      clearInterval(steadyTimer);
      await transport.destroy();
      transport = newTransport();

      // Past the latest expiry of any client's token, so every token is expired at once. Where tokens outlive the
      // idle timeout (the contract's defaults: 30 and 15 minutes), the clock moves in steps shorter than the idle
      // timeout with a request from every client after each, so the sessions stay alive and only the tokens expire.
      const advanceMs = latestExpiry - (await controls.now(url)) + 1000;
      const stepMs = Number.isFinite(idleMs) ? Math.max(1000, idleMs - 60_000) : advanceMs;
      let advancedMs = 0;
      while (advanceMs - advancedMs > stepMs) {
        await controls.advanceClock(url, stepMs);
        advancedMs += stepMs;
        await oneRequestEach(clients, send);
        context.progress(`clock advanced ${Math.round(advancedMs / 1000)} s (in steps shorter than the idle timeout)`);
      }
      for (const client of clients) client.markStorm();
      await controls.advanceClock(url, advanceMs - advancedMs);
      context.progress(`clock advanced ${Math.round(advanceMs / 1000)} s: every access token expired`);

      await context.server.usage();
      const serverWindowFrom = performance.now();
      meter.lap();
      phase = 'storm';
      load.mark('storm');
      const releasedAt = performance.now();
      book.release();
      const lanes = runLanes(clients, parallel, send, () => stopped);
      const settled = await settledWithin(book, deadlineMs);
      stopped = true;
      const stormMs = performance.now() - releasedAt;
      const generator = meter.lap();
      load.mark(null);
      // The server's window closes before the queue is dropped: failing thousands of queued requests is the
      // generator's work alone, and the server would sit idle through it.
      const server = await context.server.usage();
      const serverWindowMs = performance.now() - serverWindowFrom;
      await transport.destroy();
      await lanes;
      context.progress(
        settled
          ? `storm settled after ${(stormMs / 1000).toFixed(1)} s: ${book.progressLine()}`
          : `recovery deadline of ${deadlineMs / 1000} s passed: ${book.progressLine()}`,
      );

      const recovery = book.recovery();
      const [spuriousCheck, recoveryCheck] = refreshStorm.checks;
      const driven: DriveResult = {
        load: { model: 'closed', connections },
        durationSeconds: round(load.elapsedMs() / 1000),
        requests: load.requests,
        requestsPerSecond: round(load.requests / Math.max(0.001, load.elapsedMs() / 1000)),
        latencyMs: { uncorrected: load.uncorrected(), corrected: null },
        timeSeries: load.timeSeries(),
        phases: load.phases(),
        statusCodes,
        errors,
        timeouts,
      };
      return scenarioResult(refreshStorm.name, context.server.store, driven, {
        counters: [
          checkedCounter(spuriousCheck!, book.signedOut),
          checkedCounter(recoveryCheck!, neverBack(recovery)),
          { name: 'clients', value: clientCount },
          { name: 'parallel requests per client', value: parallel },
          { name: '401s seen', value: book.unauthorized },
          { name: 'refresh calls', value: book.refreshCalls },
          { name: 'reuse detections (REFRESH_TOKEN_REUSED)', value: book.reuseDetections },
          { name: 'failed refreshes (no answer or not 200/401)', value: book.failedRefreshes },
          ...(kind === 'single-flight' ? [{ name: 'waits for a shared refresh', value: book.sharedRefreshWaits }] : []),
        ],
        figures: [
          ...recoveryFigures(recovery),
          { name: 'storm wall time', value: round(stormMs), unit: 'ms' },
          { name: 'refresh calls per client (mean)', value: round(book.refreshCalls / clientCount), unit: 'calls' },
          { name: 'clock advanced', value: advanceMs, unit: 'ms' },
          ...usageFigures('generator', generator, stormMs),
          { name: 'generator peak RSS', value: peakRssBytes(), unit: 'bytes' },
          ...(server ? usageFigures('server', server, serverWindowMs) : []),
        ],
        distributions: [
          distributionOf(
            'refresh calls per client',
            'client',
            clients.map((c) => c.refreshCalls),
          ),
        ],
        parameters: {
          clientKind: kind,
          clients: clientCount,
          parallel,
          connections,
          pipelining,
          recoveryDeadlineSeconds: deadlineMs / 1000,
        },
      });
    } finally {
      clearInterval(progress);
      load.destroy();
    }
  } finally {
    stopped = true;
    ticker.stop();
    meter.stop();
    await transport.destroy();
  }
}

/**
 * One client's sign-in. A store that answers 503 under the load of thousands of sign-ins (a Redis command timing
 * out on a busy machine) gets a few more tries: signing in is the setup, not what the storm measures.
 */
async function signIn(send: Send, user: Credentials): Promise<LoginReply> {
  for (let attempt = 1; ; attempt++) {
    const reply = await send({
      method: 'POST',
      path: '/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    if (reply.status === 200) return JSON.parse(reply.body) as LoginReply;
    if (reply.status !== 503 || attempt === signInAttempts)
      throw new Error(`POST /auth/login answered ${reply.status}: ${reply.body}`);
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}

/** Resolves true once the storm has settled (every client back or signed out), false when the deadline passes. */
async function settledWithin(book: StormBook, deadlineMs: number): Promise<boolean> {
  const deadline = performance.now() + deadlineMs;
  while (!book.settled()) {
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
