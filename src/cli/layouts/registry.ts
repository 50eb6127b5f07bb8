/**
 * The layouts the CLI knows, and how each one handles the commands it supports. A layout plugs in
 * by adding one file under cli/layouts/ and one line to {@link LAYOUTS}; commands look up the
 * handler and report "not supported for this layout" when it is absent.
 */
import { UsageError } from '../../errors.js';
import type { TreeReader } from '../../ops/shared/ports.js';
import type {
  CommandName,
  CommandOptionsMap,
  Handler,
  LayoutHandlers,
  TreeOptions,
} from './handler-types.js';
import { kubeadmHandlers } from './kubeadm.js';
import { rkeHandlers } from './rke.js';
import { rke2Handlers } from './rke2.js';

export type {
  CommandName,
  CommandOptionsMap,
  Handler,
  LayoutHandlers,
  TreeOptions,
} from './handler-types.js';

/** Every layout, in detection order. */
export const LAYOUTS: readonly LayoutHandlers[] = [kubeadmHandlers, rkeHandlers, rke2Handlers];

/** The tree root a command opens: the first layout that claims the options, else --dir. */
export function resolveTreeRoot(forced: string | undefined, options: TreeOptions): string {
  const candidates =
    forced === undefined ? LAYOUTS : LAYOUTS.filter((l) => l.names.includes(forced));
  for (const layout of candidates) {
    const root = layout.treeRoot?.(options, forced !== undefined);
    if (root !== undefined) return root;
  }
  return options.dir;
}

/**
 * The layout forced by `--layout` or detected from the tree.
 * @throws UsageError when no layout matches.
 */
export async function findLayout(
  tree: TreeReader,
  forced: string | undefined,
  options?: TreeOptions,
): Promise<LayoutHandlers> {
  const layout =
    forced === undefined
      ? await detect(tree, options)
      : LAYOUTS.find((l) => l.names.includes(forced));
  if (layout) return layout;
  if (forced !== undefined)
    throw new UsageError(
      `unknown layout "${forced}"; known: ${LAYOUTS.flatMap((l) => l.names).join(', ')}`,
    );
  throw new UsageError(`cannot tell which distribution "${tree.root}" belongs to`, {
    hint: `pass --layout (${LAYOUTS.flatMap((l) => l.names).join(', ')})`,
  });
}

/**
 * The handler for `command` in the layout forced by `--layout` or detected from the tree.
 * @throws UsageError when no layout matches, or the layout has no such command.
 */
export async function findHandler<N extends CommandName>(
  tree: TreeReader,
  forced: string | undefined,
  command: N,
  options?: TreeOptions,
): Promise<{ layout: string; handler: Handler<CommandOptionsMap[N]> }> {
  const layout = await findLayout(tree, forced, options);
  const handler: Handler<CommandOptionsMap[N]> | undefined = layout.commands[command];
  if (!handler)
    throw new UsageError(`"${command}" is not supported for the ${layout.names[0] ?? ''} layout`);
  return { layout: forced ?? layout.names[0] ?? '', handler };
}

async function detect(
  tree: TreeReader,
  options?: TreeOptions,
): Promise<LayoutHandlers | undefined> {
  for (const layout of LAYOUTS) if (await layout.detect(tree, options)) return layout;
  return undefined;
}
