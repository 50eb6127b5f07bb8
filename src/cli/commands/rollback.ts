/** `kpki rollback`: put back the files a kpki command replaced (its backup), all at once. */
import type { Command } from 'commander';
import { ConflictError } from '../../errors.js';
import { openContext } from '../context.js';
import { succeeded, type CommandResult, type Deliver } from '../command-result.js';
import { findLayout, resolveTreeRoot } from '../layouts/registry.js';
import { actionInput, flagOf, textOf, type ActionInput } from '../options/raw.js';
import { parseTreeOptions, type TreeOptions } from '../options/tree.js';
import { restoreModeOf } from '../../stores/tree-paths.js';
import { addCommonOptions } from './common.js';
import { addRestartOptions, parseRestartOptions, type RestartOptions } from '../options/live.js';
import { kubeadmLayout } from '../layouts/kubeadm-setup.js';
import { NO_KUBEADM_FLAGS } from '../options/kubeadm-flags.js';
import { kubeadmComponentsLoading, layoutFromTree } from '../live/kubeadm-live.js';
import { kubeadmRestart } from '../live/kubeadm-after.js';
import { requireKubeadmTree } from './kubeadm-only.js';

/** `--restart` after a rollback: what loads the restored files restarts (kubeadm trees). */
async function restartAfterRollback(
  dir: string,
  options: RollbackOptions,
  live: RestartOptions,
  files: readonly string[],
  text: string,
): Promise<CommandResult> {
  const ctx = await openContext(dir, options.allowInsecureDir);
  await requireKubeadmTree(ctx.tree, options.layout, 'rollback --restart supports');
  const built = await kubeadmLayout({ config: options.config }, NO_KUBEADM_FLAGS);
  const layout = await layoutFromTree(built, ctx.tree.root, options.config !== undefined);
  const components = kubeadmComponentsLoading(layout, files);
  return kubeadmRestart(layout, ctx.tree.root, components, files, live, {
    text: `${text}\n`,
    json: undefined,
    dryRun: options.dryRun === true,
  });
}

interface RollbackOptions extends TreeOptions {
  readonly backup: string | undefined;
  readonly list: boolean;
  readonly dryRun: boolean;
}

function parseRollbackOptions({ raw, dirSource }: ActionInput): RollbackOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    backup: textOf(raw, 'backup'),
    list: flagOf(raw, 'list'),
    dryRun: flagOf(raw, 'dryRun'),
  };
}

/** Registers `rollback`. Without --backup it restores the newest backup. */
export function registerRollback(program: Command, deliver: Deliver): void {
  const command = program
    .command('rollback')
    .description('restore the files the last (or a given) kpki change replaced');
  addCommonOptions(command);
  command
    .option('--backup <id>', 'backup to restore (default: the newest)')
    .option('--list', 'list backups and exit')
    .option('--dry-run', 'say what would be restored');
  addRestartOptions(command);
  command.action(async (...parts: unknown[]) => {
    const input = actionInput(parts, command);
    const options = parseRollbackOptions(input);
    const live = parseRestartOptions(input.raw);
    const done = await rollback(options);
    if (!live.restart || options.list || done.files === undefined) return deliver(done.result);
    deliver(await restartAfterRollback(done.dir, options, live, done.files, done.result.output));
  });
}

/**
 * Lists, previews or restores a backup under the tree's lock. The layout (forced or detected)
 * says which files a backup may hold and their modes: a backup naming any other path is refused
 * (`BAD_BACKUP`) before anything is written. `files` are the backup's files (tree-relative) when
 * one was chosen (restored, or to be on a dry run); `dir` is the tree root used.
 */
async function rollback(
  given: RollbackOptions,
): Promise<{ result: CommandResult; files?: readonly string[]; dir: string }> {
  const options = { ...given, dir: resolveTreeRoot(given.layout, given) };
  const ctx = await openContext(options.dir, options.allowInsecureDir);
  return ctx.tree.exclusive(async () => {
    const backups = await ctx.tree.backups();
    if (options.list) {
      return {
        result: succeeded(
          backups
            .map(
              (b) =>
                `${b.id}  ${b.operation}  ${b.createdAt.toISOString()}  ${b.files.length} files`,
            )
            .join('\n') || 'no backups',
        ),
        dir: options.dir,
      };
    }
    const chosen =
      options.backup === undefined ? backups[0] : backups.find((b) => b.id === options.backup);
    if (!chosen)
      throw new ConflictError(
        'NO_BACKUP',
        options.backup === undefined
          ? `no backups in "${ctx.tree.root}"`
          : `no backup "${options.backup}" in "${ctx.tree.root}"`,
        { hint: 'list them with: kpki rollback --list' },
      );
    const layout = await findLayout(ctx.tree, options.layout, options);
    const modeOf = await layout.restoreModes(ctx, options);
    if (options.dryRun) {
      for (const file of chosen.files) restoreModeOf(modeOf, file, chosen.id);
      return {
        result: succeeded(
          `[rollback] would restore ${chosen.id} (${chosen.operation}):\n${chosen.files.map((f) => `  ${f}`).join('\n')}`,
        ),
        files: chosen.files,
        dir: options.dir,
      };
    }
    const result = await ctx.tree.restore(chosen.id, modeOf);
    return {
      result: succeeded(
        `[rollback] restored ${chosen.id} (${chosen.files.length} files); the state before the rollback is backup ${result.backupId}`,
      ),
      files: chosen.files,
      dir: options.dir,
    };
  });
}
