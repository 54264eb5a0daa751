import { describe, expect, it } from 'vitest';
import { counterEdits, tamperToken } from '../../properties/commands/refresh.ts';

const token = 'rt1.FUr7wOgNW8KV41vOakVJ7A.3.CFy4rXnA23VT1jzQi0BunfMwfojIyMLsV159pAha0Ok';

describe('edited refresh tokens', () => {
  it('moves each all-digit segment up and down by one, never below zero', () => {
    expect(counterEdits(token)).toEqual([token.replace('.3.', '.4.'), token.replace('.3.', '.2.')]);
    expect(counterEdits('a.0.b')).toEqual(['a.1.b']);
    expect(counterEdits('opaque-random-token')).toEqual([]);
  });

  it('changes one counter or one character, or appends a segment, and never returns the token itself', () => {
    for (let pick = 0; pick < 200; pick++) {
      const edited = tamperToken(token, pick)!;
      expect(edited).not.toBe(token);
      expect(edited.length).toBeGreaterThanOrEqual(token.length);
      if (pick % 2 === 0) expect(counterEdits(token)).toContain(edited);
      else if (pick % 4 === 3) expect(edited).toBe(`${token}.0`);
      else expect([...edited].filter((char, i) => char !== token[i])).toHaveLength(1);
    }
  });

  it('leaves the last character of an unpadded base64 segment alone, whose low bits may not count', () => {
    const jwtLike = 'eyJhbGciOiJIUzI1NiJ9.eyJmYW1pbHkiOiJhYmMifQ.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    for (let pick = 1; pick < 400; pick += 4) {
      const edited = tamperToken(jwtLike, pick)!;
      const segments = jwtLike.split('.');
      edited.split('.').forEach((segment, i) => {
        if (segments[i]!.length % 4 >= 2) expect(segment.at(-1)).toBe(segments[i]!.at(-1));
      });
    }
  });

  it('has nothing to edit in a token without letters or digits', () => {
    expect(tamperToken('-_-', 1)).toBeNull();
  });
});
