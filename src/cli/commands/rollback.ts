/** `kpki rollback`: put back the files a kpki command replaced (its backup), all at once. */
import type { Command } from 'commander';
import { ConflictError } from '../../errors.js';
import { openContext } from '../context.js';
import { succeeded, type CommandResult, type Deliver } from '../command-result.js';
import { addCommonOptions } from './common.js';

interface RollbackOptions {
  readonly dir: string;
  readonly backup?: string;
  readonly list?: boolean;
  readonly dryRun?: boolean;
  readonly allowInsecureDir?: boolean;
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
  command.action(async (options: RollbackOptions) => deliver(await rollback(options)));
}

/** Lists, previews or restores a backup under the tree's lock. */
async function rollback(options: RollbackOptions): Promise<CommandResult> {
  const ctx = await openContext(options.dir, options.allowInsecureDir === true);
  return ctx.tree.exclusive(async () => {
    const backups = await ctx.tree.backups();
    if (options.list) {
      return succeeded(
        backups
          .map(
            (b) => `${b.id}  ${b.operation}  ${b.createdAt.toISOString()}  ${b.files.length} files`,
          )
          .join('\n') || 'no backups',
      );
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
    if (options.dryRun) {
      return succeeded(
        `[rollback] would restore ${chosen.id} (${chosen.operation}):\n${chosen.files.map((f) => `  ${f}`).join('\n')}`,
      );
    }
    const result = await ctx.tree.restore(chosen.id);
    return succeeded(
      `[rollback] restored ${chosen.id} (${chosen.files.length} files); the state before the rollback is backup ${result.backupId}`,
    );
  });
}
