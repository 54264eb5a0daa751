import { describe, expect, test } from 'vitest';
import { singleValuedHeaders } from '../../adapters/wire.ts';

describe('singleValuedHeaders', () => {
  test('names come in lower case, Set-Cookie is left out, repeated values are joined', () => {
    const headers = singleValuedHeaders(
      Object.entries({
        'Content-Type': 'application/json',
        'Set-Cookie': ['sid=1', 'sid.sig=2'],
        Vary: ['Origin', 'Cookie'],
        'X-Count': 3,
        'X-Missing': undefined,
      }),
    );
    expect(headers).toEqual({ 'content-type': 'application/json', vary: 'Origin, Cookie', 'x-count': '3' });
  });

  test('reads a fetch Headers object as it iterates', () => {
    const fetched = new Headers([
      ['Location', '/cart'],
      ['Set-Cookie', 'sid=1'],
    ]);
    expect(singleValuedHeaders(fetched)).toEqual({ location: '/cart' });
  });
});
