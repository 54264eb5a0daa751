import autocannon from 'autocannon';
import { CookieJar } from '../../adapters/cookie-jar.ts';
import { headerValues } from './response.ts';

export interface GuestSession {
  cookie: string;
  id: string;
}

export interface Population {
  created: number;
  failed: number;
  /** Every `sampleEvery`-th session, with its cookie and public id, for checking afterwards. */
  sample: GuestSession[];
  seconds: number;
}

/**
 * Creates `count` guest sessions through the contract (GET /session without a cookie), as fast as the server takes
 * them: autocannon with a fixed request count over parallel connections, keeping the cookie of every
 * `sampleEvery`-th one. Much faster than fetch at hundreds of thousands of sessions.
 */
export function createGuestSessions(
  url: string,
  count: number,
  options: { sampleEvery?: number; connections?: number; onProgress?: (created: number) => void } = {},
): Promise<Population> {
  if (count <= 0) return Promise.resolve({ created: 0, failed: 0, sample: [], seconds: 0 });
  const sampleEvery = Math.max(1, options.sampleEvery ?? 1);
  const connections = Math.max(1, Math.min(options.connections ?? 32, count));
  const sample: GuestSession[] = [];
  let created = 0;
  let failed = 0;
  const started = performance.now();
  const ticker = setInterval(() => options.onProgress?.(created), 1000);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        amount: count,
        timeout: 30,
        requests: [
          {
            method: 'GET',
            path: '/session',
            onResponse: (status, body, _context, headers) => {
              if (status !== 200) {
                failed++;
                return;
              }
              if (created++ % sampleEvery !== 0) return;
              const jar = new CookieJar();
              jar.store(headerValues(headers, 'set-cookie'));
              const cookie = jar.header();
              if (cookie) sample.push({ cookie, id: (JSON.parse(body) as { id: string }).id });
            },
          },
        ],
      },
      (error: unknown) => {
        clearInterval(ticker);
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        resolve({ created, failed, sample, seconds: (performance.now() - started) / 1000 });
      },
    );
  });
}
