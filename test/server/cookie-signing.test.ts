import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cookieSigner } from '../../server/cookie-signing.ts';

/** keygrip's signature, spelled out as keygrip computes it: HMAC-SHA1 in base64 with '/', '+' and '=' rewritten. */
function keygripSignature(data: string, key: string): string {
  const base64 = createHmac('sha1', key).update(data).digest('base64');
  return base64.replace(/\/|\+|=/g, (c) => ({ '/': '_', '+': '-', '=': '' })[c]!);
}

describe('cookieSigner', () => {
  const signer = cookieSigner(['newest', 'older']);
  const data = 'sp.sid=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';

  it('signs with the newest key exactly as keygrip does', () => {
    for (const sample of [data, '', 'a', 'sp.sid=+/=?&;']) {
      expect(signer.sign(sample)).toBe(keygripSignature(sample, 'newest'));
    }
  });

  it('verifies a signature by any key and tells which, so cookies survive key rotation', () => {
    expect(signer.index(data, keygripSignature(data, 'newest'))).toBe(0);
    expect(signer.index(data, keygripSignature(data, 'older'))).toBe(1);
    expect(signer.verify(data, keygripSignature(data, 'older'))).toBe(true);
  });

  it('refuses tampered, truncated, foreign and empty signatures', () => {
    const good = keygripSignature(data, 'newest');
    const flipped = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [
      flipped,
      good.slice(0, -1),
      `${good}A`,
      keygripSignature(data, 'stranger'),
      '',
      keygripSignature(`${data}x`, 'newest'),
    ]) {
      expect(signer.index(data, bad), bad).toBe(-1);
      expect(signer.verify(data, bad), bad).toBe(false);
    }
  });

  it('needs a key', () => {
    expect(() => cookieSigner([])).toThrow(/cookie key/);
  });
});
