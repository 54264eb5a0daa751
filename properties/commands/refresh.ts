import fc, { type AsyncCommand } from 'fast-check';
import type { OpResult } from '../../adapters/engine.ts';
import type { ClientState, Model } from '../model.ts';
import { GetSession } from './session.ts';
import { act, expectOutcome, violation, type Expected, type Real } from './shared.ts';

/**
 * How a refused refresh may read. A target that tells reuse apart (contract v1's `REFRESH_TOKEN_REUSED`) must say
 * reuse exactly when it is reuse, since a client signs out on it; any other refusal may read as any refresh refusal.
 */
function refusedRefresh(m: Readonly<Model>, outcome: 'reuse' | 'invalid'): Expected[] {
  if (!m.config.tellsRefreshReuse) return ['unauthenticated', 'refresh-reused', 'refresh-invalid'];
  return outcome === 'reuse' ? ['refresh-reused'] : ['unauthenticated', 'refresh-invalid'];
}

/** How a correct server answers a refresh with the given generation of a family, at the model's time. */
export type RefreshOutcome = 'rotate' | 'grace' | 'reuse' | 'invalid';

export function refreshOutcome(m: Readonly<Model>, sessionKey: number, generation: number): RefreshOutcome {
  const session = m.sessions[sessionKey]!;
  const family = session.family;
  if (!family || !m.isLive(session)) return 'invalid';
  if (generation === family.generation) return 'rotate';
  // exact time judges the window to the millisecond; otherwise only its first half counts, clear of the run's speed
  const { refreshGraceMs } = m.config.timeouts;
  const withinGrace = m.now - family.rotatedAt <= (m.config.exactTime ? refreshGraceMs : refreshGraceMs / 2);
  return generation === family.generation - 1 && withinGrace ? 'grace' : 'reuse';
}

/** The generation a client would present: its latest token, or one or two before it. */
function presented(client: ClientState, back: number): number | undefined {
  const generations = client.refresh?.generations ?? [];
  return generations[generations.length - 1 - back];
}

/** The token of that generation the server issued to the client's family. */
function tokenOf(r: Real, client: ClientState, generation: number): string {
  return r.refreshTokens.get(client.refresh!.session)![generation]!;
}

/**
 * Checks `count` answers to the same refresh token sent at once and moves the model: a rotation or a grace replay
 * gives every caller the one successor; reuse outside the window ends that family's session and nothing else.
 */
async function settle(
  m: Model,
  r: Real,
  index: number,
  generation: number,
  replies: OpResult<'refresh'>[],
  what: string,
): Promise<void> {
  const state = m.clients[index]!;
  const sessionKey = state.refresh!.session;
  const outcome = refreshOutcome(m, sessionKey, generation);
  const session = m.sessions[sessionKey]!;
  if (outcome === 'grace' && !m.config.exactTime) {
    // the model's "within the window" assumes the run was quick on the wall clock; a slow run proves nothing here
    fc.pre(Date.now() - r.rotatedAtWall.get(sessionKey)! < m.config.timeouts.refreshGraceMs / 2);
  }
  // an ended family's tokens are every family's business (invalidation); how a live family rotates is refresh-rotation's
  const guarantee = outcome === 'invalid' ? null : 'refresh-rotation';
  if (outcome === 'invalid' || outcome === 'reuse') {
    // of refreshes sent at once with a reused token, the first to arrive is reuse and revokes the family; the others
    // may find it revoked already, but one of them must say reuse
    const allowed =
      outcome === 'reuse' && replies.length > 1
        ? [...refusedRefresh(m, 'reuse'), ...refusedRefresh(m, 'invalid')]
        : refusedRefresh(m, outcome);
    for (const reply of replies) expectOutcome(reply, allowed, `${what} (${outcome})`, guarantee);
    if (
      m.config.tellsRefreshReuse &&
      outcome === 'reuse' &&
      !replies.some((reply) => reply.outcome === 'refresh-reused')
    )
      violation(`${what} (reuse): no answer said reuse`, guarantee);
    if (outcome === 'reuse') {
      m.endSession(session);
      await expectOtherSessionsLive(m, r, session.user!);
    }
    return;
  }
  for (const reply of replies) expectOutcome(reply, ['ok'], `${what} (${outcome})`, guarantee);
  const tokens = r.refreshTokens.get(sessionKey)!;
  const successors = new Set(replies.map((reply) => reply.value?.refreshToken));
  if (successors.size !== 1)
    violation(
      `${what}: ${replies.length} refreshes with one token gave ${successors.size} different successors`,
      guarantee,
    );
  const [successor] = [...successors] as [unknown];
  if (typeof successor !== 'string' || typeof replies[0]!.value?.accessToken !== 'string')
    violation(`${what}: no tokens in ${JSON.stringify(replies[0]!.body)}`);
  const family = session.family!;
  if (outcome === 'rotate') {
    if (tokens.includes(successor)) violation(`${what}: the "new" refresh token was issued before`, guarantee);
    // anyone holding one token could then write the next one themselves, before it is issued
    if (counterEdits(tokens[generation]!).includes(successor))
      violation(`${what}: the new refresh token is the old one with a counter moved by one`, guarantee);
    family.generation++;
    family.rotatedAt = m.now;
    tokens.push(successor);
    r.rotatedAtWall.set(sessionKey, Date.now());
  } else if (successor !== tokens[family.generation]) {
    violation(`${what}: a grace-window replay must return the current successor, got a different token`, guarantee);
  }
  // a refresh is a request of the session like any other: it moves the idle timer
  m.touch(session, true);
  state.access = { session: sessionKey, expiresAt: m.now + m.config.timeouts.accessTokenMs };
  if (!state.refresh!.generations.includes(family.generation)) state.refresh!.generations.push(family.generation);
}

/** Reuse detection revokes one family: every other live session of the user must still answer, as its clients hold it. */
async function expectOtherSessionsLive(m: Model, r: Real, user: number): Promise<void> {
  for (const [index, client] of m.clients.entries()) {
    if (m.cookieSession(client)?.user === user) await new GetSession(index, 'cookie').run(m, r);
    const resolution = m.resolve(client, 'bearer');
    if (resolution.kind === 'session' && resolution.session.user === user)
      await new GetSession(index, 'bearer').run(m, r);
  }
}

/** `POST /auth/refresh` with the client's latest token, or one (`back` = 1) or two generations older. */
export class Refresh implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly back: number,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    return client !== undefined && presented(client, this.back) !== undefined;
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const generation = presented(state, this.back)!;
    const token = tokenOf(r, state, generation);
    const reply = await act(r, this.client, 'refresh', { refreshToken: token }, { via: 'none' });
    await settle(m, r, this.client, generation, [reply], this.toString());
  }

  toString(): string {
    return `Refresh(c${this.client}${this.back === 0 ? '' : `, ${this.back} back`})`;
  }
}

/** Several refreshes with the client's latest token at once, as tabs do when an access token expires. */
export class RefreshStorm implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly count: number,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    return client !== undefined && presented(client, 0) !== undefined;
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const generation = presented(state, 0)!;
    const token = tokenOf(r, state, generation);
    const replies = await Promise.all(
      Array.from({ length: this.count }, () =>
        act(r, this.client, 'refresh', { refreshToken: token }, { via: 'none' }),
      ),
    );
    await settle(m, r, this.client, generation, replies, this.toString());
  }

  toString(): string {
    return `RefreshStorm(c${this.client}, x${this.count})`;
  }
}

/**
 * `POST /auth/refresh` with a token the client holds (its latest, or one or two before it) edited: when `pick` is
 * even and the token has an all-digit segment (a counter, as a generation number), that number moved up or down by
 * one (`counterEdits`); else a segment appended or one digit or letter changed. The edited token was never issued, so it must be refused as invalid, never
 * taken for reuse or a grace replay, and it changes nothing: a server that signed less than the whole token would
 * take an edited generation for the current one or an old one. No edit touches the last character of a
 * base64-looking segment, whose unused low bits may decode the same.
 */
export class TamperedRefresh implements AsyncCommand<Model, Real> {
  constructor(
    readonly client: number,
    readonly back: number,
    readonly pick: number,
  ) {}

  check(m: Readonly<Model>): boolean {
    const client = m.clients[this.client];
    return client !== undefined && presented(client, this.back) !== undefined;
  }

  async run(m: Model, r: Real): Promise<void> {
    const state = m.clients[this.client]!;
    const token = tokenOf(r, state, presented(state, this.back)!);
    const tampered = tamperToken(token, this.pick);
    fc.pre(tampered !== null && ![...r.refreshTokens.values()].some((tokens) => tokens.includes(tampered)));
    const reply = await act(r, this.client, 'refresh', { refreshToken: tampered }, { via: 'none' });
    expectOutcome(reply, refusedRefresh(m, 'invalid'), `${this.toString()} (never issued)`, 'refresh-rotation');
  }

  toString(): string {
    return `TamperedRefresh(c${this.client}${this.back === 0 ? '' : `, ${this.back} back`}, edit ${this.pick})`;
  }
}

/** `token` with one edit chosen by `pick` (see TamperedRefresh), or null when it has nothing to edit. */
export function tamperToken(token: string, pick: number): string | null {
  const counters = counterEdits(token);
  if (pick % 2 === 0 && counters.length > 0) return counters[(pick / 2) % counters.length]!;
  // a parser that reads the parts it knows and ignores the rest takes this for the token it came from
  if (pick % 4 === 3) return `${token}.0`;
  const segments = token.split('.');
  const positions: number[] = [];
  let start = 0;
  for (const segment of segments) {
    // unpadded base64 of 2 or 3 characters past a multiple of 4 leaves low bits of its last character unused
    const lastUsable = segment.length % 4 >= 2 ? segment.length - 2 : segment.length - 1;
    for (let i = 0; i <= lastUsable; i++) if (/[A-Za-z0-9]/.test(segment[i]!)) positions.push(start + i);
    start += segment.length + 1;
  }
  if (positions.length === 0) return null;
  const at = positions[Math.floor(pick / 2) % positions.length]!;
  return token.slice(0, at) + shifted(token[at]!) + token.slice(at + 1);
}

/** Every token made from `token` by moving one of its all-digit dot-separated segments (a counter) up or down by one. */
export function counterEdits(token: string): string[] {
  const segments = token.split('.');
  return segments.flatMap((segment, i) => {
    if (!/^\d{1,15}$/.test(segment)) return [];
    const value = Number(segment);
    return (value > 0 ? [value + 1, value - 1] : [value + 1]).map((moved) =>
      [...segments.slice(0, i), String(moved), ...segments.slice(i + 1)].join('.'),
    );
  });
}

/** The next character of the same kind: 9 to 0, z to a, Z to A. */
function shifted(char: string): string {
  const [first, last] = char <= '9' ? ['0', '9'] : char <= 'Z' ? ['A', 'Z'] : ['a', 'z'];
  return char === last ? first! : String.fromCharCode(char.charCodeAt(0) + 1);
}
