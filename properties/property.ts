import type { CommandKind, Weights } from './commands/index.ts';
import type { Requirement } from './targets.ts';

/**
 * One property family: the semantics it holds a server to, the command groups its histories are drawn from, and
 * what the target must offer. The vitest files and `sessionproof props` both run these definitions.
 */
export interface PropertyDefinition {
  name: string;
  /**
   * `commands` (the default): fast-check command sequences checked step by step against properties/model.ts.
   * `parallel`: parallel programs whose recorded histories are checked for linearizability (properties/linearizable/);
   * `commands`, `optional` and `weights` do not apply to it.
   */
  kind?: 'commands' | 'parallel';
  /** The guarantee, in one sentence, as docs/semantics.md states it. */
  holds: string;
  /** Without these the property is "not applicable" on the target. */
  requires: Requirement[];
  commands: CommandKind[];
  /** Command groups used only where the target offers what they need (login needs accounts, and so on). */
  optional?: { kinds: CommandKind[]; requires: Requirement[] }[];
  /** Accounts each run signs in with, when the target can supply them. */
  users?: number;
  maxCommands?: number;
  /** How much more often to draw some command groups than the others. */
  weights?: Weights;
  /** Throwaway sessions a population command opens (default 1,100). */
  population?: number[];
  /** Share of the requested runs this family makes, for families whose runs cost far more than the others'. */
  runShare?: number;
}
