import { afterAll, describe, expect, it } from 'vitest';
import {
  stormJump,
  stormMarginMs,
  stormMinMarginMs,
  type StormDiscovery,
} from '../../scenarios/definitions/refresh-storm.ts';
import { defaultConfig } from '../../server/config.ts';
import { bearer, minute, startServer, type TestServer } from '../http/fixture.ts';

const withClock = (timeouts: StormDiscovery['timeouts']): StormDiscovery => ({ controls: { clock: true }, timeouts });

describe('stormJump', () => {
  it('jumps past the access-token lifetime and short of the idle timeout, with the margin either side', () => {
    expect(stormJump(withClock({ idleMs: 15 * minute, absoluteMs: 160 * minute, accessTokenMs: 5 * minute }))).toEqual({
      advanceMs: 5 * minute + stormMarginMs,
      marginMs: stormMarginMs,
    });
  });

  it('halves a gap narrower than twice the largest margin', () => {
    const jump = stormJump(withClock({ idleMs: 60_000, accessTokenMs: 30_000 }));
    expect(jump).toEqual({ advanceMs: 45_000, marginMs: 15_000 });
  });

  it('counts the absolute timeout when it ends sessions before the idle timeout', () => {
    expect(stormJump(withClock({ idleMs: 60 * minute, absoluteMs: 10 * minute, accessTokenMs: 5 * minute }))).toEqual({
      advanceMs: 6 * minute,
      marginMs: stormMarginMs,
    });
    expect(stormJump(withClock({ idleMs: 60 * minute, absoluteMs: 5 * minute, accessTokenMs: 5 * minute }))).toEqual({
      error: expect.stringMatching(/sessions end after 5 min \(absolute timeout\)/),
    });
  });

  it('refuses the reference server defaults: 30-minute tokens outlive 15-minute idle sessions', () => {
    const jump = stormJump(
      withClock({
        idleMs: defaultConfig.idleTimeoutMs,
        absoluteMs: defaultConfig.absoluteTimeoutMs,
        accessTokenMs: defaultConfig.accessTokenMs,
      }),
    );
    expect(jump).toEqual({
      error: expect.stringMatching(
        /access tokens live 30 min, sessions end after 15 min \(idle timeout\).*--access-token-lifetime 5m/,
      ),
    });
  });

  it('refuses a gap that leaves less than the least margin either side', () => {
    const narrowest = 2 * stormMinMarginMs;
    expect(stormJump(withClock({ idleMs: 60_000, accessTokenMs: 60_000 - narrowest }))).toEqual({
      advanceMs: 60_000 - stormMinMarginMs,
      marginMs: stormMinMarginMs,
    });
    expect(stormJump(withClock({ idleMs: 60_000, accessTokenMs: 60_000 - narrowest + 2 }))).toHaveProperty('error');
    expect(stormJump(withClock({ idleMs: 60_000, accessTokenMs: 60_000 }))).toHaveProperty('error');
  });

  it('refuses a target without clock control or without timeouts in discovery', () => {
    const timeouts = { idleMs: 15 * minute, accessTokenMs: 5 * minute };
    expect(stormJump({ timeouts })).toEqual({ error: expect.stringMatching(/no clock control/) });
    expect(stormJump({ controls: { clock: false }, timeouts })).toEqual({ error: expect.stringMatching(/clock/) });
    expect(stormJump(withClock(undefined))).toEqual({ error: expect.stringMatching(/timeouts\.idleMs/) });
    expect(stormJump(withClock({ idleMs: 15 * minute }))).toEqual({ error: expect.stringMatching(/accessTokenMs/) });
  });
});

describe('stormJump against the reference server', () => {
  const servers: TestServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  async function discover(config: Parameters<typeof startServer>[0]) {
    const server = await startServer(config);
    servers.push(server);
    const discovery = (await server.client().get('/.well-known/sessionproof')).body as StormDiscovery;
    return { server, jump: stormJump(discovery) };
  }

  it('expires the access tokens and keeps the sessions: a refresh then gets a 200', async () => {
    const { server, jump } = await discover({ accessTokenMs: 5 * minute });
    if (!('advanceMs' in jump)) throw new Error(jump.error);
    const login = await server.client().post('/auth/login', { email: 'user1@example.test', password: 'sessionproof' });
    expect((await bearer(server, login.body.accessToken).get('/cart')).status).toBe(200);

    await server.advance(jump.advanceMs);
    expect((await bearer(server, login.body.accessToken).get('/cart')).status).toBe(401);
    const refreshed = await server.client().post('/auth/refresh', { refreshToken: login.body.refreshToken });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect((await bearer(server, refreshed.body.accessToken).get('/cart')).status).toBe(200);
  });

  it('refuses the defaults, whose jump would have ended the session', async () => {
    const { jump } = await discover({});
    expect(jump).toHaveProperty('error');
  });

  it('refuses a server without test controls', async () => {
    const { jump } = await discover({ testControls: false, accessTokenMs: 5 * minute });
    expect(jump).toEqual({ error: expect.stringMatching(/no clock control/) });
  });
});
