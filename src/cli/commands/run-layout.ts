/** Running a command through the layout registry. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CommandResult, Deliver } from '../command-result.js';
import { openContext } from '../context.js';
import {
  findHandler,
  resolveTreeRoot,
  type CommandName,
  type CommandOptionsMap,
} from '../layouts/registry.js';
import { actionInput, type ActionInput } from '../options/raw.js';

/**
 * Opens the tree, finds the layout's handler for `name` and returns what it returns. Mutating
 * commands run holding the tree's lock, from before anything is read until the commit.
 */
export async function runLayoutCommand<N extends CommandName>(
  name: N,
  given: CommandOptionsMap[N],
  mutating: boolean,
): Promise<CommandResult> {
  const options: CommandOptionsMap[N] = { ...given, dir: resolveTreeRoot(given.layout, given) };
  const ctx = await openContext(options.dir, options.allowInsecureDir);
  const run = async (): Promise<CommandResult> => {
    const { layout, handler } = await findHandler(ctx.tree, options.layout, name, options);
    // --restart is wired for kubeadm trees only; elsewhere it must not be silently ignored.
    const live = (options as { live?: { restart?: boolean } }).live;
    if (live?.restart === true && layout !== 'kubeadm')
      throw new UsageError(`--restart is supported on kubeadm trees only (this is ${layout})`);
    return handler(ctx, options);
  };
  return mutating ? ctx.tree.exclusive(run) : run();
}

/**
 * Registers the action of a command whose work is done by layout handlers: commander's options
 * are parsed once by `parse` (which throws the usage errors), then the layout's handler runs and
 * its result goes to `deliver`.
 */
export function layoutAction<N extends CommandName>(
  command: Command,
  name: N,
  parse: (input: ActionInput) => CommandOptionsMap[N],
  mutating: boolean,
  deliver: Deliver,
): Command {
  return command.action(async (...parts: unknown[]) => {
    deliver(await runLayoutCommand(name, parse(actionInput(parts, command)), mutating));
  });
}
