/** Running a command through the layout registry. */
import type { Command } from 'commander';
import { openContext } from '../context.js';
import { print } from '../output.js';
import { defaultDirFor, findHandler, type CommandOptions } from '../layouts/registry.js';

/**
 * Opens the tree, finds the layout's handler for `name` and prints what it returns. Mutating
 * commands run holding the tree's lock, from before anything is read until the commit.
 */
export async function runLayoutCommand(name: string, options: CommandOptions, args: readonly string[], mutating: boolean): Promise<void> {
  const ctx = await openContext(options.dir);
  const layout = typeof options.layout === 'string' ? options.layout : undefined;
  const run = async (): Promise<void> => {
    const { handler } = await findHandler(ctx.tree, layout, name);
    print(await handler(ctx, options, args));
  };
  if (mutating) await ctx.tree.exclusive(run);
  else await run();
}

/** Registers a command whose work is done by layout handlers. */
export function layoutAction(command: Command, name: string, mutating: boolean): Command {
  return command.action(async (...parts: unknown[]) => {
    const options = (parts.length >= 2 ? parts[parts.length - 2] : {}) as CommandOptions;
    const args = parts.slice(0, -2).flatMap((part) => (Array.isArray(part) ? (part as string[]) : typeof part === 'string' ? [part] : []));
    await runLayoutCommand(name, withLayoutDir(command, options), args, mutating);
  });
}

/**
 * `--dir` defaults to /etc/kubernetes (kubeadm); when --layout names a layout with its own default
 * root (RKE2/K3s: /var/lib/rancher/<prog>) and --dir was not given, that root is used instead.
 */
export function withLayoutDir(command: Command, options: CommandOptions): CommandOptions {
  if (command.getOptionValueSource('dir') !== 'default') return options;
  const dir = defaultDirFor(typeof options.layout === 'string' ? options.layout : undefined);
  return dir === undefined ? options : { ...options, dir };
}
