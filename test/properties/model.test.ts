import { expect, test } from 'vitest';
import { referenceSemantics, type Semantics } from '../../adapters/semantics.ts';
import { Model, modelConfig } from '../../properties/model.ts';

const config = modelConfig({ ...referenceSemantics, maxLineQuantity: 10 });
const declaring = (semantics: Partial<Semantics>) => modelConfig({ ...referenceSemantics, ...semantics });
const minute = 60_000;

test('a clock advance landing near an expiry is ambiguous; one clear of it is not', () => {
  const model = new Model(config, 1);
  model.startSession(0);
  expect(model.advanceIsAmbiguous(15 * minute)).toBe(true);
  expect(model.advanceIsAmbiguous(15 * minute - 10_000)).toBe(true);
  expect(model.advanceIsAmbiguous(13 * minute)).toBe(false);
  expect(model.advanceIsAmbiguous(16 * minute)).toBe(false);
});

test('an uncertain touch widens the band a clock advance must avoid', () => {
  const model = new Model(config, 1);
  const session = model.startSession(0);
  model.now = 5 * minute;
  model.touch(session, false);
  expect(model.isLive(session)).toBe(true);
  expect(model.advanceIsAmbiguous(12 * minute)).toBe(true);
  expect(model.advanceIsAmbiguous(16 * minute)).toBe(false);
});

test('idle and absolute expiry: a session touched within the idle timeout still ends at its absolute limit', () => {
  const model = new Model(config, 1);
  const session = model.startSession(0);
  for (let i = 0; i < 11; i++) {
    model.now += 14 * minute;
    expect(model.isLive(session)).toBe(true);
    model.touch(session, true);
  }
  model.now += 14 * minute;
  expect(model.isLive(session)).toBe(false);
});

test('with a touch window, a surely seen request proves activity only up to the window before it', () => {
  const windowed = new Model({ ...config, timeouts: { ...config.timeouts, touchWindowMs: 9000 } }, 1);
  const session = windowed.startSession(0);
  windowed.now = 5000;
  windowed.touch(session, true);
  expect(windowed.expiryBounds(session)).toEqual([15 * minute, 5000 + 15 * minute]);
  windowed.now = 10 * minute;
  windowed.touch(session, true);
  expect(windowed.expiryBounds(session)).toEqual([25 * minute - 9000, 25 * minute]);

  const exact = new Model({ ...config, timeouts: { ...config.timeouts, touchWindowMs: undefined } }, 1);
  const other = exact.startSession(0);
  exact.now = 10 * minute;
  exact.touch(other, true);
  expect(exact.expiryBounds(other)).toEqual([25 * minute, 25 * minute]);
});

test('login folds the guest cart into the user cart by SKU up to the line cap, and the guest cart is gone', () => {
  const model = new Model(config, 1);
  const client = model.addClient({ cookie: null, csrfOf: null, access: null, refresh: null });
  const guest = model.startSession(null);
  client.cookie = guest.key;
  model.cart(`session:${guest.key}`).set('A', 7).set('B', 1);
  model.cart('user:0').set('A', 5);
  const session = model.signIn(client, 0);
  expect(session).not.toBe(guest);
  expect(guest.ended).toBe(true);
  expect([...model.cart('user:0')]).toEqual([
    ['A', 10],
    ['B', 1],
  ]);
  expect(model.carts.has(`session:${guest.key}`)).toBe(false);
});

test('where the cart lives in the session, login carries it into the new session and logout throws it away', () => {
  const model = new Model(declaring({ cartScope: 'session', loginCart: 'adopt' }), 1);
  const client = model.addClient({ cookie: null, csrfOf: null, access: null, refresh: null });
  const guest = model.startSession(null);
  client.cookie = guest.key;
  model.cart(`session:${guest.key}`).set('A', 2);
  const session = model.signIn(client, 0);
  expect(model.ownerOf(session)).toBe(`session:${session.key}`);
  expect([...model.cart(`session:${session.key}`)]).toEqual([['A', 2]]);
  expect(model.carts.has('user:0')).toBe(false);
  model.endSession(session);
  expect(model.carts.has(`session:${session.key}`)).toBe(false);
});

test('without rotation, login signs the same session in and folds its guest cart into the user cart', () => {
  const model = new Model(declaring({ rotatesOnLogin: false }), 1);
  const client = model.addClient({ cookie: null, csrfOf: null, access: null, refresh: null });
  const guest = model.startSession(null);
  client.cookie = guest.key;
  model.cart(`session:${guest.key}`).set('A', 1);
  expect(model.signIn(client, 0)).toBe(guest);
  expect(guest.user).toBe(0);
  expect([...model.cart('user:0')]).toEqual([['A', 1]]);
});

test('a stateless access token outlives logout until it expires; a revocable one does not', () => {
  for (const logoutEndsAccessTokens of [false, true]) {
    const model = new Model(declaring({ logoutEndsAccessTokens }), 1);
    const session = model.startSession(0);
    const client = model.addClient({
      cookie: null,
      csrfOf: null,
      access: { session: session.key, expiresAt: 30 * minute },
      refresh: null,
    });
    model.endSession(session);
    expect(model.resolve(client, 'bearer').kind).toBe(logoutEndsAccessTokens ? 'rejected' : 'session');
    model.now = 30 * minute;
    expect(model.resolve(client, 'bearer').kind).toBe('rejected');
  }
});
