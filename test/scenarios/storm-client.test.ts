import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../reports/schema.ts';
import type { OutgoingRequest } from '../../scenarios/load/pool-transport.ts';
import { StormBook, recoveryFigures } from '../../scenarios/storm/book.ts';
import { StormClient, type Send } from '../../scenarios/storm/client.ts';
import { runLanes } from '../../scenarios/storm/lanes.ts';
import { formatScenario } from '../../scenarios/table.ts';

/**
 * A server of one client's tokens, enough for the refresh protocol: access tokens `a<generation>`, refresh tokens
 * `r<generation>`; only the newest access token is valid once the clock has jumped, and a refresh with the previous
 * generation gets the same successor (the grace window) unless `strict`. Every answer takes a turn of the event loop,
 * so parallel requests are really in flight together.
 */
function tokenServer(options: { strict?: boolean; expired?: boolean } = {}) {
  let generation = 0;
  const expired = options.expired ?? true;
  let signedOut = false;
  const log: string[] = [];
  const send: Send = async (request: OutgoingRequest) => {
    await new Promise((resolve) => setImmediate(resolve));
    if (request.path === '/cart') {
      const token = request.headers!.authorization!.replace('Bearer ', '');
      log.push(`GET ${token}`);
      const valid = !signedOut && (!expired || (token !== 'a0' && token === `a${generation}`));
      return { status: valid ? 200 : 401, body: '{}' };
    }
    const presented = Number((JSON.parse(request.body!) as { refreshToken: string }).refreshToken.slice(1));
    log.push(`REFRESH r${presented}`);
    if (signedOut) return { status: 401, body: JSON.stringify({ error: { code: 'REFRESH_TOKEN_INVALID' } }) };
    if (presented === generation) generation++;
    else if (options.strict || presented !== generation - 1) {
      signedOut = true;
      return { status: 401, body: JSON.stringify({ error: { code: 'REFRESH_TOKEN_REUSED' } }) };
    }
    return { status: 200, body: JSON.stringify({ accessToken: `a${generation}`, refreshToken: `r${generation}` }) };
  };
  return { send, log };
}

function stormClient(kind: 'naive' | 'single-flight', book: StormBook): StormClient {
  const client = new StormClient(0, { accessToken: 'a0', refreshToken: 'r0' }, kind, book);
  client.markStorm();
  return client;
}

describe('a storm client', () => {
  it('single-flight: its parallel 401s share one refresh, then each request retries with the new token', async () => {
    const server = tokenServer();
    const book = new StormBook(1);
    const client = stormClient('single-flight', book);
    book.release();
    await runLanes([client], 4, server.send, () => book.settled());
    expect(client.refreshCalls).toBe(1);
    expect(book.sharedRefreshWaits).toBe(3);
    expect(server.log.filter((line) => line.startsWith('REFRESH'))).toEqual(['REFRESH r0']);
    expect(server.log.slice(0, 4)).toEqual(['GET a0', 'GET a0', 'GET a0', 'GET a0']);
    expect(server.log).toContain('GET a1');
    expect(client.backAtMs).not.toBeNull();
    expect(book.signedOut).toBe(0);
  });

  it('naive: every request that saw the 401 refreshes with the same token; the grace window takes them all', async () => {
    const server = tokenServer();
    const book = new StormBook(1);
    const client = stormClient('naive', book);
    book.release();
    await runLanes([client], 4, server.send, () => book.settled());
    expect(client.refreshCalls).toBe(4);
    expect(server.log.filter((line) => line.startsWith('REFRESH'))).toEqual(Array(4).fill('REFRESH r0'));
    // The later answers carry the same successor: the client does not move backwards or forwards on them.
    expect(client.refreshToken).toBe('r1');
    expect(book.signedOut).toBe(0);
    expect(client.backAtMs).not.toBeNull();
  });

  it('naive without a grace window: the second refresh is reuse and signs the client out, a spurious logout', async () => {
    const server = tokenServer({ strict: true });
    const book = new StormBook(1);
    const client = stormClient('naive', book);
    book.release();
    await runLanes([client], 4, server.send, () => book.settled());
    expect(client.signedOutBy).toBe('REFRESH_TOKEN_REUSED');
    expect(book.signedOut).toBe(1);
    expect(book.reuseDetections).toBe(1);
    expect(client.backAtMs).toBeNull();
    expect(book.settled()).toBe(true);
  });

  it('a 401 on a request whose token was replaced meanwhile retries without refreshing', async () => {
    const server = tokenServer();
    const book = new StormBook(1);
    const client = stormClient('naive', book);
    book.release();
    // Another lane's refresh lands while this request, carrying a0, is on the wire: its 401 is stale news.
    await client.request(async (request) => {
      const reply = await server.send(request);
      client.accessToken = 'a1';
      return reply;
    });
    expect(server.log).toEqual(['GET a0']);
    expect(client.refreshCalls).toBe(0);
  });
});

describe('the storm book', () => {
  it('counts a client back once, only after the release and only with a token newer than the storm token', async () => {
    const server = tokenServer({ expired: false });
    let now = 1000;
    const book = new StormBook(1, () => now);
    const client = new StormClient(0, { accessToken: 'a0', refreshToken: 'r0' }, 'naive', book);
    await client.request(server.send);
    expect(client.backAtMs).toBeNull();
    client.markStorm();
    book.release();
    now = 1250;
    await client.request(server.send);
    expect(client.backAtMs).toBeNull();
    client.accessToken = 'a1';
    await client.request(server.send);
    expect(client.backAtMs).toBe(250);
    now = 2000;
    await client.request(server.send);
    expect(book.backMs).toEqual([250]);
    expect(book.settled()).toBe(true);
  });

  it('is not settled while a refresh is in flight, even with every client back', () => {
    const book = new StormBook(1);
    const client = new StormClient(0, { accessToken: 'a0', refreshToken: 'r0' }, 'naive', book);
    book.release();
    book.refreshStarted();
    book.markBack(client);
    expect(book.settled()).toBe(false);
    book.refreshEnded();
    expect(book.settled()).toBe(true);
  });

  it('reports the time until every client is back only when every client came back', () => {
    expect(recoveryFigures({ clients: 3, backMs: [10, 20, 944], signedOut: 0 })).toEqual([
      { name: 'time until every client is back to 200', value: 944, unit: 'ms' },
      { name: 'median time back to 200', value: 20, unit: 'ms' },
    ]);
    const partial = recoveryFigures({ clients: 200, backMs: Array.from({ length: 143 }, (_, i) => i), signedOut: 1 });
    expect(partial[0]).toEqual({
      name: 'time until every client is back to 200',
      value: null,
      unit: 'ms',
      note: 'not reached (57 clients)',
    });
    expect(recoveryFigures({ clients: 1, backMs: [], signedOut: 1 })[0]!.note).toBe('not reached (1 client)');
  });

  it('prints "not reached (N clients)" in the scenario table, never a time', () => {
    const result: ScenarioResult = {
      scenario: 'refresh-storm',
      store: 'memory',
      load: { model: 'closed', connections: 64 },
      durationSeconds: 10,
      requests: 100,
      requestsPerSecond: 10,
      latencyMs: { uncorrected: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1 }, corrected: null },
      timeSeries: [],
      phases: [],
      counters: [{ name: 'clients never back to 200', value: 57, expect: { op: '==', value: 0 } }],
      figures: recoveryFigures({ clients: 200, backMs: Array.from({ length: 143 }, (_, i) => i), signedOut: 0 }),
      distributions: [],
      memory: null,
    };
    const table = formatScenario(result);
    expect(table).toMatch(/time until every client is back to 200\s+not reached \(57 clients\)\s+ms/);
    expect(table).toMatch(/clients never back to 200\s+57\s+== 0\s+FAIL/);
  });
});
