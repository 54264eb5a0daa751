/**
 * A stand-in for k6's modules, so a bundled k6 script can run its setup, scenario functions and teardown in Node.
 * The bundle has its own copy of these modules, so they share state with the test through `globalThis.k6Fake`.
 */
export interface FakeResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** As k6 parses Set-Cookie: by name, with Max-Age in seconds (negative: removed) and Expires in ms. */
  cookies: Record<string, { name: string; value: string; maxAge: number; expires: number }[]>;
}

/** What a test's `respond` answers: a JSON body, and Set-Cookie lines where the app sets cookies. */
export interface FakeReply {
  status: number;
  body?: unknown;
  /** The body as sent, where it is not the JSON of `body` (a real app's answer). */
  text?: string;
  headers?: Record<string, string>;
  setCookies?: string[];
}

export interface K6Fake {
  /** Answers every request the script sends, synchronously like k6's http module. */
  respond(method: string, url: string, body: string | null, headers: Record<string, string>): FakeReply;
  requests: { method: string; url: string; body: unknown }[];
  /** Counter and Trend values by metric name, from the moment the script declares the metric. */
  metrics: Record<string, number[]>;
  aborted: string | null;
  vu: number;
}

export function fake(): K6Fake {
  return (globalThis as { k6Fake?: K6Fake }).k6Fake ?? fail('set globalThis.k6Fake before running the script');
}

function fail(message: string): never {
  throw new Error(message);
}

/** The request params a script passes (lib.ts `params()`): only the headers matter here. */
export interface FakeParams {
  headers?: Record<string, string>;
}

export function send(method: string, url: string, body: string | null, params: FakeParams = {}): FakeResponse {
  const state = fake();
  state.requests.push({ method, url, body: body === null ? null : parsed(body) });
  const reply = state.respond(method, url, body, params.headers ?? {});
  return {
    status: reply.status,
    body: reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)),
    headers: reply.headers ?? {},
    cookies: cookiesOf(reply.setCookies ?? []),
  };
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Set-Cookie lines parsed the way k6 (Go's net/http) does, for the fields a script reads. */
function cookiesOf(lines: string[]): FakeResponse['cookies'] {
  const cookies: FakeResponse['cookies'] = {};
  for (const line of lines) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const attribute = (key: string) =>
      attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const maxAge = attribute('max-age');
    const expires = attribute('expires');
    (cookies[name] ??= []).push({
      name,
      value: pair.slice(at + 1),
      maxAge: maxAge === undefined ? 0 : Number(maxAge) <= 0 ? -1 : Number(maxAge),
      expires: expires === undefined ? 0 : Date.parse(expires),
    });
  }
  return cookies;
}
