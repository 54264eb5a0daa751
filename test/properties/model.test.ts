import { expect, test } from 'vitest';
import { defaultTimeouts, Model, type ModelConfig } from '../../properties/model.ts';

const config: ModelConfig = { timeouts: defaultTimeouts, loginCart: 'sum', maxLineQuantity: 10, slackMs: 30_000 };
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
  const windowed = new Model({ ...config, timeouts: { ...defaultTimeouts, touchWindowMs: 9000 } }, 1);
  const session = windowed.startSession(0);
  windowed.now = 5000;
  windowed.touch(session, true);
  expect(windowed.expiryBounds(session)).toEqual([15 * minute, 5000 + 15 * minute]);
  windowed.now = 10 * minute;
  windowed.touch(session, true);
  expect(windowed.expiryBounds(session)).toEqual([25 * minute - 9000, 25 * minute]);

  const exact = new Model({ ...config, timeouts: { ...defaultTimeouts, touchWindowMs: undefined } }, 1);
  const other = exact.startSession(0);
  exact.now = 10 * minute;
  exact.touch(other, true);
  expect(exact.expiryBounds(other)).toEqual([25 * minute, 25 * minute]);
});

test('merge sums by SKU up to the line cap and removes the guest cart', () => {
  const model = new Model(config, 1);
  const guest = model.startSession(null);
  model.cart(`guest:${guest.key}`).set('A', 7).set('B', 1);
  model.cart('user:0').set('A', 5);
  model.merge(guest, 0);
  expect([...model.cart('user:0')]).toEqual([
    ['A', 10],
    ['B', 1],
  ]);
  expect(model.carts.has(`guest:${guest.key}`)).toBe(false);
});
