import { buildSummary } from '../../reports/summary.ts';
import type {
  BenchSection,
  Percentiles,
  PropertyResult,
  RunSummary,
  ScenarioResult,
  ZooFault,
  ZooSection,
} from '../../reports/schema.ts';

/**
 * Builds summaries shaped like real runs (the figures are in the range the reference server shows on a 2-CPU
 * machine), varied through a few knobs so each test states what it changes instead of editing JSON.
 */
export interface SampleOptions {
  /** Seeds the noise in time series and latencies; two summaries with the same seed are identical. */
  seed?: number;
  /** Multiplies every throughput and divides every latency: a faster or slower machine, same software. */
  machineSpeed?: number;
  /** Relative random noise on each figure, e.g. 0.05 for ±5 %. */
  noise?: number;
  /** The reference server's bench throughput relative to its usual value (0.7 = 30 % slower). */
  referenceSpeed?: number;
  lostUpdates?: number;
  spuriousLogouts?: number;
  failingProperty?: string;
  undetectedFault?: string;
  runId?: string;
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const propertyNames = [
  'session-id-stability',
  'rotation-on-login',
  'no-duplicate-carts',
  'no-lost-updates',
  'merge-correctness',
  'invalidation',
  'refresh-rotation',
  'isolation',
  'cleanup',
  'csrf-binding',
  'strict-mode',
];

export const faultNames: [string, string, string][] = [
  ['cart-in-session', 'cart lives inside the session blob: concurrent adds overwrite each other', 'no-lost-updates'],
  ['racy-cart-create', 'get-or-create cart is two store calls', 'no-duplicate-carts'],
  ['no-rotate-on-login', 'login keeps the guest session id', 'rotation-on-login'],
  ['logout-keeps-server-session', 'logout only clears the cookie', 'invalidation'],
  ['strict-refresh', 'no grace window: parallel refreshes log the client out', 'refresh-rotation'],
  ['sweeper-misses-index', 'sweeper leaves dead sessions in the user index', 'cleanup'],
  ['merge-not-idempotent', 'replaying a login merges the guest cart twice', 'merge-correctness'],
  ['cross-session-leak', 'a shared cache answers with another session', 'isolation'],
];

export function sampleSummary(options: SampleOptions = {}): RunSummary {
  const rnd = random(options.seed ?? 7);
  const speed = options.machineSpeed ?? 1;
  const noise = options.noise ?? 0.01;
  const jitter = (value: number) => value * (1 + (rnd() * 2 - 1) * noise);
  const rate = (value: number) => jitter(value * speed);
  const ms = (value: number) => Math.round(jitter(value / speed) * 1000) / 1000;
  const percentiles = (p50: number): Percentiles => ({
    p50: ms(p50),
    p90: ms(p50 * 1.8),
    p99: ms(p50 * 3.4),
    p999: ms(p50 * 6),
    max: ms(p50 * 11),
  });
  const calibrationRps = rate(14_000);

  const properties: PropertyResult[] = propertyNames.map((name, i) => {
    const failing = name === options.failingProperty;
    const runs = failing ? 37 : 100;
    const seconds = Math.round(jitter(1.2 + i * 0.35) * 100) / 100;
    const seed = 1_000_003 * (i + 1);
    if (name === 'strict-mode') {
      return {
        name,
        verdict: 'not-applicable',
        runs: 0,
        seconds: 0,
        runsPerSecond: 0,
        seed,
        path: null,
        replay: null,
        reason: 'target lacks controls.strict',
        counterexample: null,
      };
    }
    return {
      name,
      verdict: failing ? 'fail' : 'pass',
      runs,
      seconds,
      runsPerSecond: runs / seconds,
      seed,
      path: failing ? '36:2:0:1' : null,
      replay: failing ? `sessionproof props --only ${name} --seed ${seed} --path 36:2:0:1` : null,
      reason: null,
      counterexample: failing
        ? {
            commands: '[login(0), addItem(c0, SKU-0001, 2) || addItem(c0, SKU-0001, 3), getCart(c0)]',
            error: 'model says SKU-0001 quantity 5, server says 3',
            history: [
              'POST /auth/login {"email":"u0@example.test"} -> 200',
              'POST /cart/items {"sku":"SKU-0001","quantity":2} -> 200',
              'GET /cart -> 200 {"items":[{"sku":"SKU-0001","quantity":3}]}',
            ],
          }
        : null,
    };
  });

  const series = (seconds: number, rps: number, p50: number, slowFrom = Infinity, slowTo = -Infinity) =>
    Array.from({ length: seconds }, (_, second) => {
      const slow = second >= slowFrom && second < slowTo;
      return {
        second,
        requestsPerSecond: Math.round(rate(slow ? rps * 0.7 : rps)),
        p50Ms: ms(slow ? p50 * 1.5 : p50),
        p99Ms: ms(slow ? p50 * 6 : p50 * 3.4),
      };
    });
  const scenario = (
    s: Omit<ScenarioResult, 'requests' | 'requestsPerSecond' | 'figures' | 'distributions' | 'memory' | 'phases'> &
      Partial<ScenarioResult>,
  ): ScenarioResult => {
    const requests = s.timeSeries.reduce((sum, p) => sum + p.requestsPerSecond, 0);
    return {
      requests,
      requestsPerSecond: requests / s.durationSeconds,
      phases: [],
      figures: [],
      distributions: [],
      memory: null,
      ...s,
    };
  };

  const beforeRps = rate(3_900);
  const scenarios: ScenarioResult[] = [
    scenario({
      scenario: 'refresh-storm',
      store: 'memory',
      load: { model: 'closed', connections: 64 },
      durationSeconds: 10,
      latencyMs: { uncorrected: percentiles(4.1), corrected: percentiles(5.3) },
      timeSeries: series(10, 2_600, 4.1),
      counters: [
        { name: 'spurious logouts', value: options.spuriousLogouts ?? 0, expect: { op: '==', value: 0 } },
        { name: 'clients not back to 200', value: 0, expect: { op: '==', value: 0 } },
        { name: '401s seen', value: 64 },
        { name: 'reuse detections', value: 0 },
      ],
      figures: [{ name: 'time until every client is back to 200', value: ms(38), unit: 'ms' }],
      distributions: [
        {
          name: 'refresh calls per client',
          of: 'client',
          buckets: [
            { value: 1, count: 58 },
            { value: 2, count: 5 },
            { value: 3, count: 1 },
          ],
        },
      ],
    }),
    scenario({
      scenario: 'cleanup-under-load',
      store: 'memory',
      load: { model: 'open', ratePerSecond: 4_000, connections: 32 },
      durationSeconds: 20,
      latencyMs: { uncorrected: percentiles(2.2), corrected: percentiles(2.9) },
      timeSeries: series(20, 3_900, 2.2, 8, 14),
      phases: [
        {
          name: 'before-sweep',
          startSecond: 0,
          endSecond: 8,
          requests: Math.round(beforeRps * 8),
          requestsPerSecond: beforeRps,
          latencyMs: percentiles(2.1),
        },
        {
          name: 'during-sweep',
          startSecond: 8,
          endSecond: 14,
          requests: Math.round(beforeRps * 0.7 * 6),
          requestsPerSecond: beforeRps * 0.7 * jitter(1),
          latencyMs: percentiles(3.3),
        },
        {
          name: 'after-sweep',
          startSecond: 14,
          endSecond: 20,
          requests: Math.round(beforeRps * 6),
          requestsPerSecond: beforeRps * jitter(1),
          latencyMs: percentiles(2.2),
        },
      ],
      counters: [
        { name: 'expired left', value: 0, expect: { op: '==', value: 0 } },
        { name: 'live sessions lost', value: 0, expect: { op: '==', value: 0 } },
        { name: 'sessions swept', value: 30_000 },
      ],
      figures: [{ name: 'sweep rate', value: rate(5_100), unit: 'sessions/s' }],
      memory: {
        before: { rssBytes: 412_000_000, heapUsedBytes: 301_000_000 },
        after: { rssBytes: 331_000_000, heapUsedBytes: 212_000_000 },
      },
    }),
    scenario({
      scenario: 'cart-contention',
      store: 'memory',
      load: { model: 'closed', connections: 32 },
      durationSeconds: 8,
      latencyMs: { uncorrected: percentiles(3.0), corrected: null },
      timeSeries: series(8, 3_100, 3.0),
      counters: [
        {
          name: 'lost updates',
          value: options.lostUpdates ?? 0,
          expect: { op: '==', value: 0 },
          meaning: 'adds the server acknowledged are missing from the final carts',
        },
        { name: 'duplicate carts', value: 0, expect: { op: '==', value: 0 } },
      ],
    }),
    scenario({
      scenario: 'session-churn',
      store: 'memory',
      load: { model: 'open', ratePerSecond: 400, connections: 16 },
      durationSeconds: 8,
      latencyMs: { uncorrected: percentiles(6.5), corrected: percentiles(6.9) },
      timeSeries: series(8, 400, 6.5),
      counters: [{ name: 'live sessions after churn', value: 12, expect: { op: '<=', value: 100 } }],
      memory: {
        before: { rssBytes: 180_000_000, heapUsedBytes: 90_000_000 },
        after: { rssBytes: 184_000_000, heapUsedBytes: 92_000_000 },
      },
    }),
  ];

  const columns = [
    ...propertyNames.filter((p) => p !== 'strict-mode'),
    'cart-contention: lost updates',
    'refresh-storm: spurious logouts',
  ];
  const faults: ZooFault[] = faultNames.map(([fault, description, property], i) => {
    const missed = fault === options.undetectedFault;
    const outcomes = Object.fromEntries(columns.map((c) => [c, 'passed' as const])) as ZooFault['outcomes'];
    if (!missed) outcomes[property] = 'detected';
    if (fault === 'cart-in-session' && !missed) outcomes['cart-contention: lost updates'] = 'detected';
    if (fault === 'strict-refresh' && !missed) outcomes['refresh-storm: spurious logouts'] = 'detected';
    const seconds = Math.round(jitter(0.4 + i * 0.6) * 100) / 100;
    return {
      fault,
      description,
      detected: !missed,
      firstFailure: missed ? null : { kind: 'property', name: property, message: 'model and server disagree' },
      runsToDetect: missed ? null : 3 + i * 4,
      secondsToDetect: missed ? null : seconds,
      replay: missed ? null : `sessionproof props --fault ${fault} --only ${property} --seed ${42 + i}`,
      outcomes,
    };
  });
  const zoo: ZooSection = {
    store: 'memory',
    columns,
    clean: { passed: true, failures: [], outcomes: Object.fromEntries(columns.map((c) => [c, 'passed' as const])) },
    faults,
  };

  const bench: BenchSection = {
    durationSeconds: 8,
    connections: 32,
    warmupSeconds: 2,
    rounds: 4,
    calibration: 'bare-node',
    baseline: 'koa-session',
    targets: [
      {
        id: 'bare-node',
        label: 'bare node:http JSON',
        role: 'calibration',
        requestsPerSecond: calibrationRps,
        latencyMs: { p50: ms(1.9), p99: ms(4.8) },
        serverCpuMicrosPerRequest: ms(13),
        problems: [],
      },
      {
        id: 'koa-session',
        label: 'koa + koa-session (memory)',
        role: 'baseline',
        requestsPerSecond: rate(6_300),
        latencyMs: { p50: ms(4.6), p99: ms(9.9) },
        serverCpuMicrosPerRequest: ms(57),
        problems: [],
      },
      {
        id: 'reference-read',
        label: 'reference GET /session',
        role: 'subject',
        requestsPerSecond: rate(5_600 * (options.referenceSpeed ?? 1)),
        latencyMs: { p50: ms(5.3 / (options.referenceSpeed ?? 1)), p99: ms(11.4 / (options.referenceSpeed ?? 1)) },
        serverCpuMicrosPerRequest: ms(43 / (options.referenceSpeed ?? 1)),
        problems: [],
      },
      {
        id: 'reference-write',
        label: 'reference POST /cart/items',
        role: 'subject',
        requestsPerSecond: rate(3_400),
        latencyMs: { p50: ms(8.7), p99: ms(17.5) },
        serverCpuMicrosPerRequest: ms(69),
        problems: [],
      },
      {
        id: 'koa-session-redis',
        label: 'koa + koa-session (ioredis)',
        role: 'baseline',
        requestsPerSecond: rate(4_600),
        latencyMs: { p50: ms(5.8), p99: ms(16.7) },
        serverCpuMicrosPerRequest: ms(86),
        problems: [],
      },
      {
        id: 'reference-redis-read',
        label: 'reference on Redis GET /cart',
        role: 'subject',
        requestsPerSecond: rate(5_400),
        latencyMs: { p50: ms(4.8), p99: ms(14.0) },
        serverCpuMicrosPerRequest: ms(70),
        peer: 'koa-session-redis',
        problems: [],
      },
    ],
    goals: [{ target: 'reference-read', over: 'koa-session', minimumRatio: 0.6 }],
  };

  return buildSummary({
    run: {
      id: options.runId ?? `20261122-053443-memory-${(options.seed ?? 7).toString(16).padStart(4, '0')}`,
      command: 'sessionproof run --store memory',
      startedAt: '2026-11-22T05:34:43.000Z',
      finishedAt: '2026-11-22T05:41:02.000Z',
      git: { commit: 'e6374f2a9c0d1b2e3f4a5b6c7d8e9f0a1b2c3d4e', dirty: false },
      machine: {
        node: 'v20.19.2',
        cpus: 2,
        cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
        platform: 'linux',
        arch: 'x64',
        totalMemoryBytes: 8_000_000_000,
        loadAverage1m: 0.42,
      },
      target: { kind: 'reference', store: 'memory', faults: [] },
    },
    calibration: {
      requestsPerSecond: calibrationRps,
      latencyMs: percentiles(1.9),
      connections: 32,
      durationSeconds: 4,
    },
    properties,
    scenarios,
    zoo,
    bench,
  });
}
