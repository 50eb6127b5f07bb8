/** `kpki renew NAME...|all`: kubeadm's renewal, all-or-nothing, with a backup and a restart list. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../pki/duration.js';
import { applyRenew, planRenew } from '../../ops/renew.js';
import { detectLayout, kubeadmLayout, openContext, type CommonOptions } from '../context.js';
import { formatApplied, formatPlan, outputOption, planJson, print } from '../output.js';
import { addCommonOptions } from './common.js';

interface RenewOptions extends CommonOptions {
  readonly output: string;
  readonly dryRun?: boolean;
  readonly expiringWithin?: string;
}

/** Registers `renew`. */
export function registerRenew(program: Command): void {
  const command = program.command('renew').argument('<names...>', 'certificate names (see kpki check) or "all"')
    .description('renew certificates with new keys, signed by the same CA; all switch together or none');
  addCommonOptions(command);
  command.option('--expiring-within <duration>', 'only renew certificates that expire within this time (e.g. 30d)')
    .option('--dry-run', 'print the plan and change nothing').addOption(outputOption(['text', 'json']));
  command.action(async (names: string[], options: RenewOptions) => {
    if (names.includes('all') && names.length > 1) throw new UsageError('"all" cannot be combined with other names');
    const ctx = await openContext(options);
    await ctx.tree.exclusive(async () => {
      await detectLayout(ctx.tree, options.layout);
      const layout = await kubeadmLayout(options);
      const params = {
        catalogue: layout.catalogue, names, backdateMs: layout.backdateMs, restartOrder: layout.restartOrder,
        ...(options.expiringWithin !== undefined && { expiringWithinMs: parseDuration(options.expiringWithin, '--expiring-within') }),
      };
      const plan = await planRenew(ctx, params);
      const result = options.dryRun ? undefined : await applyRenew(ctx, params, plan);
      print(options.output === 'json' ? planJson(plan, result, options.dryRun === true) : formatPlan(plan, options.dryRun === true) + (options.dryRun ? '' : formatApplied(plan, result)));
    });
  });
}
