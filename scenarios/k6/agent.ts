import http, { type ResponseCookie } from 'k6/http';
import type { Adapter } from '../../adapters/adapter.ts';
import { OperationCall, type OpResult, type PerformOptions } from '../../adapters/engine.ts';
import type { ArgsOf, OperationName } from '../../adapters/types.ts';
import { incoming, outgoing, singleValuedHeaders, type Agent } from '../../adapters/wire.ts';
import { baseUrl } from './lib.ts';

/**
 * Runs one operation of `agent` through the adapter on k6's http module: the same step machine as the property
 * runner and the autocannon scenarios, with k6 moving the bytes. The agent's own jar is the only one: each request
 * gets an empty k6 jar and follows no redirect, so what a multi-step operation sees is what the app answered.
 */
export function perform<N extends OperationName>(
  agent: Agent,
  adapter: Adapter,
  name: N,
  args: ArgsOf<N>,
  options: PerformOptions = {},
  tags: Record<string, string> = {},
): OpResult<N> {
  const call = new OperationCall(adapter, name, args, agent, options);
  let request = call.start();
  for (;;) {
    const wire = outgoing(agent, request, call.via);
    const response = http.request(wire.method, `${baseUrl}${wire.path}`, wire.body ?? null, {
      headers: wire.headers,
      jar: new http.CookieJar(),
      redirects: 0,
      responseType: 'text',
      tags: { operation: name, ...tags },
    });
    const headers = singleValuedHeaders(Object.entries(response.headers ?? {}));
    const answer = incoming(
      agent,
      {
        status: response.status,
        headers,
        setCookies: setCookieLines(response.cookies ?? {}),
        text: typeof response.body === 'string' ? response.body : '',
      },
      call.via,
    );
    const step = call.receive(answer);
    if ('result' in step) return step.result;
    request = step.next;
  }
}

/**
 * k6 parses Set-Cookie into `response.cookies` (and joins repeated headers in `response.headers`, which commas in
 * Expires dates make unsplittable), so the lines the jar reads are rebuilt from the parsed cookies: a cookie the
 * server removed (Max-Age 0, or Expires in the past) becomes a removal. k6's Go side names the field `max_age`
 * where @types/k6 says `maxAge`; both are read.
 */
function setCookieLines(cookies: Record<string, ResponseCookie[]>): string[] {
  return Object.values(cookies).flatMap((list) =>
    list.map((cookie) => {
      const maxAge = cookie.maxAge ?? (cookie as unknown as { max_age?: number }).max_age ?? 0;
      const removed = maxAge < 0 || (cookie.expires > 0 && cookie.expires <= Date.now());
      return `${cookie.name}=${cookie.value}${removed ? '; Max-Age=0' : ''}`;
    }),
  );
}
