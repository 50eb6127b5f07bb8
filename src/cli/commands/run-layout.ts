/** Running a command through the layout registry. */
import type { Command } from 'commander';
import { openContext } from '../context.js';
import { print } from '../output.js';
import { findHandler, resolveTreeRoot, type CommandOptions } from '../layouts/registry.js';

/**
 * Opens the tree, finds the layout's handler for `name` and prints what it returns. Mutating
 * commands run holding the tree's lock, from before anything is read until the commit.
 */
export async function runLayoutCommand(
  name: string,
  given: CommandOptions,
  args: readonly string[],
  mutating: boolean,
): Promise<void> {
  const layout = typeof given.layout === 'string' ? given.layout : undefined;
  const options = { ...given, dir: resolveTreeRoot(layout, given) };
  const ctx = await openContext(options.dir);
  const run = async (): Promise<void> => {
    const { handler } = await findHandler(ctx.tree, layout, name, options);
    print(await handler(ctx, options, args));
  };
  if (mutating) await ctx.tree.exclusive(run);
  else await run();
}

/** Registers a command whose work is done by layout handlers. */
export function layoutAction(command: Command, name: string, mutating: boolean): Command {
  return command.action(async (...parts: unknown[]) => {
    const options = {
      ...((parts.length >= 2 ? parts[parts.length - 2] : {}) as CommandOptions),
      dirSource: command.getOptionValueSource('dir'),
    };
    const args = parts
      .slice(0, -2)
      .flatMap((part) =>
        Array.isArray(part) ? (part as string[]) : typeof part === 'string' ? [part] : [],
      );
    await runLayoutCommand(name, options, args, mutating);
  });
}
