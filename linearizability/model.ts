/**
 * The states a step may lead to when the model cannot tell which one the system took (a session that may have
 * expired, a merge whose rule is one of several). A bare array would be ambiguous for models whose state is itself an
 * array, hence the wrapper.
 */
export class AnyOf<S> {
  constructor(readonly states: readonly S[]) {}
}

export function anyOf<S>(...states: S[]): AnyOf<S> {
  return new AnyOf(states);
}

/**
 * A sequential specification: what one operation does to the state when operations run one at a time.
 *
 * The checker keeps states by `key`, so two states with the same key must behave the same from then on; the key is
 * what makes memoisation possible, so it should be short and canonical (sorted, no incidental order).
 */
export interface SequentialModel<S, I, O> {
  init(): S;
  /**
   * The state after applying `input` in `state` and answering `output`, or null when that answer is impossible in
   * that state. `output` is undefined for an operation whose answer never came: the step then says what the
   * operation would do whatever it answered.
   */
  step(state: S, input: I, output: O | undefined): S | AnyOf<S> | null;
  key(state: S): string;
  describeOperation?(input: I, output: O | undefined): string;
  describeState?(state: S): string;
}
