import { describe, expect, it } from 'vitest';
import { randomToken } from '../../server/ids.ts';

describe('randomToken', () => {
  it('hands out distinct tokens of the asked size, across refills of its entropy pool', () => {
    const sizes = [16, 9, 32, 16, 7];
    const tokens = Array.from({ length: 2000 }, (_, i) => {
      const bytes = sizes[i % sizes.length]!;
      const token = randomToken(bytes);
      expect(Buffer.from(token, 'base64url')).toHaveLength(bytes);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      return token;
    });
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('serves sizes larger than the pool', () => {
    expect(Buffer.from(randomToken(10_000), 'base64url')).toHaveLength(10_000);
  });
});
