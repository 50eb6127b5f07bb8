/** `kpki init`: create the PKI tree and kubeconfigs a layout needs. */
import { mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { applyInit, planInit } from '../../ops/init.js';
import { detectLayout, kubeadmLayout, openContext, type CommonOptions, type KubeadmFlags } from '../context.js';
import { formatApplied, formatPlan, outputOption, planJson, print, warn } from '../output.js';
import { addCommonOptions, addKubeadmFlags } from './common.js';

interface InitOptions extends CommonOptions, KubeadmFlags {
  readonly dryRun?: boolean;
  readonly output: string;
}

/** Registers `init`. */
export function registerInit(program: Command): void {
  const command = program.command('init').description('create the certificates, keys and kubeconfigs that are missing; never overwrite');
  addCommonOptions(command);
  addKubeadmFlags(command);
  command.option('--dry-run', 'print the plan and change nothing').addOption(outputOption(['text', 'json']));
  command.action(async (options: InitOptions) => {
    await mkdir(options.dir, { recursive: true, mode: 0o755 });
    const ctx = await openContext(options);
    await ctx.tree.exclusive(async () => {
      await detectLayout(ctx.tree, options.layout ?? 'kubeadm');
      const layout = await kubeadmLayout(options, options);
      const params = { catalogue: layout.catalogue, backdateMs: layout.backdateMs, restartOrder: layout.restartOrder, warnings: layout.warnings };
      const plan = await planInit(ctx, params);
      warn(plan.warnings);
      const result = options.dryRun ? undefined : await applyInit(ctx, params, plan);
      print(options.output === 'json' ? planJson(plan, result, options.dryRun === true) : formatPlan(plan, options.dryRun === true) + (options.dryRun ? '' : formatApplied(plan, result)));
    });
  });
}
