import { createHmac, timingSafeEqual } from 'node:crypto';
import type Keygrip from 'keygrip';

/**
 * Cookie signatures exactly as keygrip makes them (HMAC-SHA1, base64url; the newest key signs, any key verifies and
 * `index` tells which, so cookies survive key rotation), compared with `timingSafeEqual`. keygrip compares through
 * tsscmp, which draws fresh random bytes and computes two more HMACs on every check: the largest single cost of a
 * request to this server.
 */
export function cookieSigner(keys: readonly string[]): Keygrip {
  if (keys.length === 0) throw new Error('at least one cookie key is required');
  const sign = (data: string, key: string) => createHmac('sha1', key).update(data).digest('base64url');
  const index = (data: unknown, digest: string): number => {
    const given = Buffer.from(String(digest));
    for (let i = 0; i < keys.length; i++) {
      const expected = Buffer.from(sign(String(data), keys[i]!));
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  };
  return {
    sign: (data: unknown) => sign(String(data), keys[0]!),
    verify: (data: unknown, digest: string) => index(data, digest) > -1,
    index,
  };
}
