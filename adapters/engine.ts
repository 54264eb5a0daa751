import { AdapterError, type Adapter } from './adapter.ts';
import type {
  ArgsOf,
  CallContext,
  HttpRequest,
  HttpResponse,
  OperationName,
  OperationSpec,
  Refusal,
  ResultOf,
  UserState,
  Via,
} from './types.ts';
import type { VirtualUser } from './virtual-user.ts';
import type { Agent } from './wire.ts';

/** A multi-step operation longer than this is a parser that never settles. */
const maxSteps = 5;

export interface PerformOptions {
  via?: Via;
  /** Overrides the CSRF token sent: another session's token, or null for none. */
  csrf?: string | null;
}

/** One operation's answer in the model's terms, with the last raw answer kept for messages. */
export interface OpResult<N extends OperationName> {
  outcome: 'ok' | Refusal;
  value: ResultOf<N> | null;
  /** The app's own error code, where the parser found one. */
  code: string | null;
  status: number;
  body: unknown;
}

export function offers(adapter: Adapter, name: OperationName): boolean {
  return adapter.operations[name] !== undefined;
}

/**
 * One operation of one agent, step by step, without I/O: `start` gives the first request, `receive` reads an answer
 * and gives the next request of a multi-step operation or the result, merging the state the parser returns into the
 * agent's. Adapters stay pure; each transport (fetch, autocannon, k6) moves the bytes and calls these two.
 */
export class OperationCall<N extends OperationName> {
  readonly via: Via;
  readonly #spec: OperationSpec<N>;
  readonly #context: CallContext<N>;
  #steps = 0;

  constructor(
    readonly adapter: Adapter,
    readonly name: N,
    args: ArgsOf<N>,
    readonly agent: Agent,
    options: PerformOptions = {},
  ) {
    const spec = adapter.operations[name] as OperationSpec<N> | undefined;
    if (!spec) throw new AdapterError(`adapter "${adapter.name}" has no "${name}" operation`);
    this.#spec = spec;
    this.via = options.via ?? 'cookie';
    this.#context = {
      args,
      state: agent.state,
      via: this.via,
      csrf: options.csrf === undefined ? agent.state.csrfToken : options.csrf,
      previous: [],
    };
  }

  start(): HttpRequest {
    try {
      return this.#spec.request(this.#context);
    } catch (error) {
      throw new AdapterError(
        `adapter "${this.adapter.name}", operation "${this.name}": request threw: ${reasonOf(error)}`,
      );
    }
  }

  receive(response: HttpResponse): { next: HttpRequest } | { result: OpResult<N> } {
    const outcome = parseAnswer(this.adapter, this.name, response, () => this.#spec.parse(response, this.#context));
    if (outcome.state) applyState(this.agent.state, outcome.state);
    if ('next' in outcome) {
      if (++this.#steps >= maxSteps)
        throw new AdapterError(
          `adapter "${this.adapter.name}", operation "${this.name}": still asking for a next step after ${maxSteps}`,
        );
      this.#context.previous.push(response);
      return { next: outcome.next };
    }
    const body = response.json ?? response.text;
    return {
      result: outcome.ok
        ? { outcome: 'ok', value: outcome.value, code: null, status: response.status, body }
        : { outcome: outcome.refusal, value: null, code: outcome.code ?? null, status: response.status, body },
    };
  }
}

/** Runs one operation for one user over fetch. */
export async function perform<N extends OperationName>(
  user: VirtualUser,
  adapter: Adapter,
  name: N,
  args: ArgsOf<N>,
  options: PerformOptions = {},
): Promise<OpResult<N>> {
  const call = new OperationCall(adapter, name, args, user, options);
  let request = call.start();
  for (;;) {
    const step = call.receive(await user.send(request, call.via));
    if ('result' in step) return step.result;
    request = step.next;
  }
}

function applyState(state: UserState, patch: Partial<UserState>): void {
  const { vars, ...rest } = patch;
  Object.assign(state, rest);
  if (vars) state.vars = { ...state.vars, ...vars };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An answer the adapter's parser cannot read: the server answered something its own API does not allow, or the
 * parser is wrong. The message shows both the answer and the parser's complaint, so the reader can tell which.
 */
export class UnreadableAnswer extends Error {
  override name = 'UnreadableAnswer';
}

function parseAnswer<T>(adapter: Adapter, name: OperationName, response: HttpResponse, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const shown = response.text.length > 300 ? `${response.text.slice(0, 300)}…` : response.text;
    throw new UnreadableAnswer(
      `${name}: adapter "${adapter.name}" cannot read the ${response.status} answer ${shown}: ${reasonOf(error)}`,
    );
  }
}
