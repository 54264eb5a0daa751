import type { Adapter } from '../../adapters/adapter.ts';
import { OperationCall, type OpResult, type PerformOptions } from '../../adapters/engine.ts';
import type { ArgsOf, HttpRequest, OperationName } from '../../adapters/types.ts';
import { incoming, outgoing, singleValuedHeaders, type Agent } from '../../adapters/wire.ts';
import type { LoadRequest } from './autocannon-run.ts';
import { headerValues } from './response.ts';

/** The operation a connection runs next, and what to do with its result. */
export interface PlannedOperation<N extends OperationName = OperationName> {
  name: N;
  args: ArgsOf<N>;
  /** The agent whose cookies and state the operation uses and updates. */
  agent: Agent;
  options?: PerformOptions;
  settled?: (result: OpResult<N>) => void;
}

export interface OperationLoopOptions {
  adapter: Adapter;
  /** The connection's next operation, asked for each time the one before has settled. */
  next: () => PlannedOperation;
  /** An answer the adapter could not read (a broken parser, or an answer the app's API does not allow). */
  unreadable: (message: string) => void;
}

/**
 * One autocannon connection driving operations through an adapter, as the one request its sequence repeats:
 * autocannon asks `setupRequest` for each request it sends and hands each answer to `onResponse` before asking
 * again, so the step machine of the operation in flight decides what goes next (the next step of a multi-step
 * operation, or the first of the next operation). An operation whose answer never came (a timeout) is sent again.
 */
export function operationLoop(options: OperationLoopOptions): LoadRequest {
  let planned: PlannedOperation | null = null;
  let call: OperationCall<OperationName> | null = null;
  let pending: HttpRequest | null = null;
  return {
    method: 'GET',
    path: '/',
    setupRequest: (request) => {
      if (pending === null) {
        planned = options.next();
        call = new OperationCall(options.adapter, planned.name, planned.args, planned.agent, planned.options);
        pending = call.start();
      }
      const wire = outgoing(planned!.agent, pending, call!.via);
      return {
        ...request,
        method: wire.method as LoadRequest['method'],
        path: wire.path,
        headers: wire.headers,
        body: wire.body,
      };
    },
    onResponse: (status, body, _context, headers) => {
      if (call === null || planned === null) return;
      const response = incoming(
        planned.agent,
        {
          status,
          headers: singleValuedHeaders(Object.entries(headers ?? {})),
          setCookies: headerValues(headers, 'set-cookie'),
          text: body,
        },
        call.via,
      );
      try {
        const step = call.receive(response);
        if ('next' in step) return void (pending = step.next);
        pending = null;
        planned.settled?.(step.result);
      } catch (error) {
        pending = null;
        options.unreadable(error instanceof Error ? error.message : String(error));
      }
    },
  };
}
