import { send } from './fake.ts';

class CookieJar {}

type Request = [method: string, url: string, body: string | null, params?: unknown];

export default {
  CookieJar,
  get: (url: string) => send('GET', url, null),
  post: (url: string, body: string | null) => send('POST', url, body),
  batch: (requests: Request[]) => requests.map(([method, url, body]) => send(method, url, body)),
};
