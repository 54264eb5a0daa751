import { send, type FakeParams } from './fake.ts';

class CookieJar {}

type Request = [method: string, url: string, body: string | null, params?: FakeParams];

export default {
  CookieJar,
  get: (url: string, params?: FakeParams) => send('GET', url, null, params),
  post: (url: string, body: string | null, params?: FakeParams) => send('POST', url, body, params),
  request: (method: string, url: string, body: string | null, params?: FakeParams) => send(method, url, body, params),
  batch: (requests: Request[]) => requests.map(([method, url, body, params]) => send(method, url, body, params)),
};
