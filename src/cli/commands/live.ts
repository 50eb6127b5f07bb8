/** `kpki prove` and `kpki restart`: the live side of a change (kubeadm trees). */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { KUBEADM_RESTART_ORDER } from '../../layouts/kubeadm/catalogue.js';
import type { Deliver } from '../command-result.js';
import { kubeadmLayout, type KubeadmLayout } from '../layouts/kubeadm-setup.js';
import { kubeadmProve, kubeadmRestart } from '../live/kubeadm-after.js';
import { layoutFromTree } from '../live/kubeadm-live.js';
import { NO_KUBEADM_FLAGS } from '../options/kubeadm-flags.js';
import {
  addProveOptions,
  addRestartOptions,
  parseProveOptions,
  parseRestartOptions,
} from '../options/live.js';
import { actionInput } from '../options/raw.js';
import { parseTreeOptions } from '../options/tree.js';
import { outputOption } from '../output.js';
import { openContext } from '../context.js';
import { addCommonOptions } from './common.js';
import { requireKubeadmTree } from './kubeadm-only.js';

/** The kubeadm layout of the tree at `dir`; other layouts are refused for now. */
async function kubeadmTree(
  dir: string,
  config: string | undefined,
  layout: string | undefined,
): Promise<{ root: string; layout: KubeadmLayout }> {
  const ctx = await openContext(dir);
  await requireKubeadmTree(ctx.tree, layout, 'prove and restart support');
  const built = await kubeadmLayout({ config }, NO_KUBEADM_FLAGS);
  return {
    root: ctx.tree.root,
    layout: await layoutFromTree(built, ctx.tree.root, config !== undefined),
  };
}

/** Registers `prove` and `restart`. */
export function registerLive(program: Command, deliver: Deliver): void {
  const proveCommand = program
    .command('prove')
    .description(
      'handshake with every serving endpoint and use every client certificate: is the cluster serving what is on disk? exit 1 when not',
    );
  addCommonOptions(proveCommand);
  addProveOptions(proveCommand).addOption(outputOption(['text', 'json']));
  proveCommand.action(async (...parts: unknown[]) => {
    const { raw, dirSource } = actionInput(parts, proveCommand);
    const tree = parseTreeOptions(raw, dirSource);
    const { root, layout } = await kubeadmTree(tree.dir, tree.config, tree.layout);
    deliver(await kubeadmProve(layout, root, parseProveOptions(raw), raw.output === 'json'));
  });

  const restartCommand = program
    .command('restart')
    .argument(
      '[components...]',
      `components to restart (${KUBEADM_RESTART_ORDER.join(', ')}); default all but the kubelet`,
    )
    .description(
      'restart components in order, each healthy before the next, then prove (for a change already applied)',
    );
  addCommonOptions(restartCommand);
  addRestartOptions(restartCommand, false)
    .option('--dry-run', 'print the restart plan and restart nothing')
    .addOption(outputOption(['text', 'json']));
  restartCommand.action(async (...parts: unknown[]) => {
    const { raw, dirSource, args } = actionInput(parts, restartCommand);
    const tree = parseTreeOptions(raw, dirSource);
    const unknown = args.filter((a) => !(KUBEADM_RESTART_ORDER as readonly string[]).includes(a));
    if (unknown.length > 0)
      throw new UsageError(
        `unknown component "${unknown.join('", "')}" (use ${KUBEADM_RESTART_ORDER.join(', ')})`,
      );
    const components =
      args.length > 0 ? args : KUBEADM_RESTART_ORDER.filter((c) => c !== 'kubelet');
    const { root, layout } = await kubeadmTree(tree.dir, tree.config, tree.layout);
    const json = raw.output === 'json';
    deliver(
      await kubeadmRestart(layout, root, components, undefined, parseRestartOptions(raw, true), {
        text: '',
        json: json ? {} : undefined,
        dryRun: raw.dryRun === true,
      }),
    );
  });
}
