/** The guard of the commands that act on live kubeadm components only (prove, restart). */
import { UsageError } from '../../errors.js';
import type { TreeReader } from '../../ops/shared/ports.js';
import { findLayout } from '../layouts/registry.js';

/**
 * Resolves when the registry's own detection finds a kubeadm tree and `--layout`, if given, says so too.
 * @throws UsageError naming `what` and the tree otherwise.
 */
export async function requireKubeadmTree(
  tree: TreeReader,
  forced: string | undefined,
  what: string,
): Promise<void> {
  const detected = await findLayout(tree, undefined).catch(() => undefined);
  const kubeadm = detected?.names.includes('kubeadm') === true;
  if (!kubeadm || (forced !== undefined && forced !== 'kubeadm'))
    throw new UsageError(`${what} kubeadm trees only; "${tree.root}" is not one`);
}
