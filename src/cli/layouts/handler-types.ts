/** The shapes of layout command handlers (kept apart from the registry so handlers can import them). */
import type { OpsContext, TreeReader } from '../../ops/shared/ports.js';

/** Options every layout handler receives: the raw command-line options of the command. */
export type CommandOptions = Readonly<Record<string, unknown>> & {
  readonly dir: string;
  readonly config?: string;
};

/** A handler runs one command for one layout and returns what to print (exit code via process.exitCode). */
export type Handler = (
  ctx: OpsContext,
  options: CommandOptions,
  args: readonly string[],
) => Promise<string>;

/** The commands a layout implements. */
export interface LayoutHandlers {
  /** Names accepted by --layout for this layout (`rke2` and `k3s` share handlers). */
  readonly names: readonly string[];
  /** True when the tree looks like this layout (used when --layout is not given). */
  detect(tree: TreeReader, options?: CommandOptions): Promise<boolean>;
  /**
   * The tree root when the layout does not take --dir as it is (RKE: the cluster file's
   * directory); undefined to use --dir. `forced` is true when --layout names this layout.
   */
  treeRoot?(options: CommandOptions, forced: boolean): string | undefined;
  readonly commands: Readonly<Partial<Record<string, Handler>>>;
}
