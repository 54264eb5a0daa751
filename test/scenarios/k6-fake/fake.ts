/**
 * A stand-in for k6's modules, so a bundled k6 script can run its setup, scenario functions and teardown in Node.
 * The bundle has its own copy of these modules, so they share state with the test through `globalThis.k6Fake`.
 */
export interface FakeResponse {
  status: number;
  body: string;
  cookies: Record<string, { value: string }[]>;
}

export interface K6Fake {
  /** Answers every request the script sends, synchronously like k6's http module. */
  respond(
    method: string,
    url: string,
    body: string | null,
    headers: Record<string, string>,
  ): { status: number; body?: unknown };
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
  state.requests.push({ method, url, body: body === null ? null : JSON.parse(body) });
  const reply = state.respond(method, url, body, params.headers ?? {});
  return { status: reply.status, body: reply.body === undefined ? '' : JSON.stringify(reply.body), cookies: {} };
}
