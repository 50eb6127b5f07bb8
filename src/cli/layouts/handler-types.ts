/** The shapes of layout command handlers (kept apart from the registry so handlers can import them). */
import type { OpsContext, RestoreModes, TreeReader } from '../../ops/shared/ports.js';
import type { CommandResult } from '../command-result.js';
import type { CaCrossSignOptions, CaGenerateOptions } from '../options/ca.js';
import type { CheckOptions } from '../options/check.js';
import type { CsrGenerateOptions, CsrSignOptions } from '../options/csr.js';
import type { InitOptions } from '../options/init.js';
import type { KubeconfigUserOptions } from '../options/kubeconfig-user.js';
import type { RenewOptions } from '../options/renew.js';
import type { RkeExportOptions, RkeImportOptions } from '../options/rke.js';
import type { RotateCaOptions, RotateOptions } from '../options/rotate.js';
import type { SaKeyRotateOptions, TokenOptions } from '../options/sa-key-token.js';
import type { SignerOptions } from '../options/signer.js';
import type { TreeOptions } from '../options/tree.js';

export type { TreeOptions } from '../options/tree.js';

/** Each layout command and the typed options its handlers receive. */
export interface CommandOptionsMap {
  init: InitOptions;
  check: CheckOptions;
  renew: RenewOptions;
  rotate: RotateOptions;
  'rotate-ca': RotateCaOptions;
  'sa-key-rotate': SaKeyRotateOptions;
  token: TokenOptions;
  'csr-generate': CsrGenerateOptions;
  'csr-sign': CsrSignOptions;
  'kubeconfig-user': KubeconfigUserOptions;
  'ca-generate': CaGenerateOptions;
  'ca-cross-sign': CaCrossSignOptions;
  'rke-import': RkeImportOptions;
  'rke-export': RkeExportOptions;
  signer: SignerOptions;
}

/** The name of a command layouts implement. */
export type CommandName = keyof CommandOptionsMap;

/**
 * A handler runs one command for one layout on options already parsed and checked, and returns
 * what to print with the exit code. It throws typed errors; it never exits or sets
 * `process.exitCode`.
 */
export type Handler<O> = (ctx: OpsContext, options: O) => Promise<CommandResult>;

/** The handlers of one layout, by command; a missing one means "not supported for this layout". */
export type LayoutCommands = { readonly [N in CommandName]?: Handler<CommandOptionsMap[N]> };

/** The commands a layout implements. */
export interface LayoutHandlers {
  /** Names accepted by --layout for this layout (`rke2` and `k3s` share handlers). */
  readonly names: readonly string[];
  /** True when the tree looks like this layout (used when --layout is not given). */
  detect(tree: TreeReader, options?: TreeOptions): Promise<boolean>;
  /**
   * The tree root when the layout does not take --dir as it is (RKE: the cluster file's
   * directory); undefined to use --dir. `forced` is true when --layout names this layout.
   */
  treeRoot?(options: TreeOptions, forced: boolean): string | undefined;
  /**
   * What `rollback` may write on this layout's tree: the mode of every file the layout manages
   * (its catalogue, and the files its commands keep beside it), undefined for anything else.
   */
  restoreModes(ctx: OpsContext, options: TreeOptions): Promise<RestoreModes>;
  readonly commands: LayoutCommands;
}
