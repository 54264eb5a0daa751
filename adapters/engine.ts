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
 * Runs one operation for one user: build, send, parse, repeat while the parser asks for another step; the state the
 * parser returns is merged into the user's. Adapters stay pure; this is the only place their functions meet I/O.
 */
export async function perform<N extends OperationName>(
  user: VirtualUser,
  adapter: Adapter,
  name: N,
  args: ArgsOf<N>,
  options: PerformOptions = {},
): Promise<OpResult<N>> {
  const spec = adapter.operations[name] as OperationSpec<N> | undefined;
  if (!spec) throw new AdapterError(`adapter "${adapter.name}" has no "${name}" operation`);
  const via = options.via ?? 'cookie';
  const context: CallContext<N> = {
    args,
    state: user.state,
    via,
    csrf: options.csrf === undefined ? user.state.csrfToken : options.csrf,
    previous: [],
  };
  let request: HttpRequest = call(adapter, name, 'request', () => spec.request(context));
  for (let step = 0; step < maxSteps; step++) {
    const response = await user.send(request, via);
    const outcome = parseAnswer(adapter, name, response, () => spec.parse(response, context));
    if (outcome.state) applyState(user, outcome.state);
    if ('next' in outcome) {
      context.previous.push(response);
      request = outcome.next;
      continue;
    }
    const body = response.json ?? response.text;
    return outcome.ok
      ? { outcome: 'ok', value: outcome.value, code: null, status: response.status, body }
      : { outcome: outcome.refusal, value: null, code: outcome.code ?? null, status: response.status, body };
  }
  throw new AdapterError(
    `adapter "${adapter.name}", operation "${name}": still asking for a next step after ${maxSteps}`,
  );
}

function applyState(user: VirtualUser, patch: Partial<UserState>): void {
  const { vars, ...rest } = patch;
  Object.assign(user.state, rest);
  if (vars) user.state.vars = { ...user.state.vars, ...vars };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs an adapter's request builder; whatever it throws becomes one line naming the adapter and the operation. */
function call<T>(adapter: Adapter, name: OperationName, step: 'request', run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new AdapterError(`adapter "${adapter.name}", operation "${name}": ${step} threw: ${reasonOf(error)}`);
  }
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
