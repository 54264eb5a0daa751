// Typed by @types/k6 through the imports alone: tsconfig's `types: ["node"]` only limits which packages load as
// globals, and `import ... from 'k6/http'` still resolves to @types/k6 (whose index also declares k6's globals such
// as `__ENV`). No triple-slash reference and no second tsconfig; skipLibCheck keeps Node's and k6's declaration files
// from being checked against each other, and the k6 files import nothing from Node.
import http, { type RefinedParams, type RefinedResponse, type ResponseType } from 'k6/http';

/** The server under test; scripts run where k6 runs, so this is whatever the k6 machines can reach. */
export const baseUrl = (__ENV.BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');

export interface Identity {
  cookie?: string;
  csrfToken?: string;
  bearer?: string;
}

type Params = RefinedParams<'text'>;

/** Request headers for an identity. Each request gets a fresh cookie jar, so only the cookie given here is sent. */
export function params(identity: Identity = {}, tags: Record<string, string> = {}): Params {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (identity.cookie) headers.cookie = identity.cookie;
  if (identity.csrfToken) headers['x-csrf-token'] = identity.csrfToken;
  if (identity.bearer) headers.authorization = `Bearer ${identity.bearer}`;
  return { headers, jar: new http.CookieJar(), tags, responseType: 'text' };
}

export function get(path: string, identity?: Identity, tags?: Record<string, string>) {
  return http.get(`${baseUrl}${path}`, params(identity, tags));
}

export function post(path: string, body: unknown, identity?: Identity, tags?: Record<string, string>) {
  return http.post(`${baseUrl}${path}`, body === undefined ? null : JSON.stringify(body), params(identity, tags));
}

export function bodyOf<T>(response: RefinedResponse<ResponseType | undefined>): T | null {
  try {
    return JSON.parse(String(response.body)) as T;
  } catch {
    return null;
  }
}

/** The session cookie a response set, as a Cookie header. */
export function cookieOf(response: RefinedResponse<ResponseType | undefined>): string {
  return Object.entries(response.cookies)
    .flatMap(([name, values]) => (values[0] ? [`${name}=${values[0].value}`] : []))
    .join('; ');
}

export interface Credentials {
  email: string;
  password: string;
}

export function createUsers(count: number): Credentials[] {
  const users: Credentials[] = [];
  while (users.length < count) {
    const response = post('/__control/users', { count: Math.min(10_000, count - users.length) });
    const body = bodyOf<{ users: Credentials[] }>(response);
    if (response.status !== 200 || !body)
      throw new Error(`POST /__control/users answered ${response.status}: start the server with test controls on`);
    users.push(...body.users);
  }
  return users;
}

export interface SessionStats {
  live: number;
  expiredAwaitingSweep: number;
  created: number;
  ended: number;
  swept: number;
}

export function stats(): SessionStats {
  const response = get('/sessions/stats');
  const body = bodyOf<SessionStats>(response);
  if (response.status !== 200 || !body) throw new Error(`GET /sessions/stats answered ${response.status}`);
  return body;
}

export function intEnv(name: string, fallback: number): number {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : Number(value);
}
