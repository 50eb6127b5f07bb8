/**
 * Turning a bundle change into the files of an RKE cluster directory: the state file (mode 0600,
 * both states updated alike) and, when the admin credentials or the CA changed, the local admin
 * kubeconfig `kube_config_<cluster file>` (its other fields, such as a VIP `server:`, are kept).
 */
import { replaceKubeconfigCredentials } from '../../layouts/kubeconfig.js';
import { KUBE_ADMIN, KUBE_CA } from '../../layouts/rke/catalogue.js';
import { adminKubeconfig } from '../../layouts/rke/kubeconfigs.js';
import {
  applyBundleChange,
  serializeRkeState,
  type BundleChange,
  type BundleEntry,
} from '../../layouts/rke/state.js';
import { adminServerOf } from './issue.js';
import type { RkeTree } from './tree.js';
import type { PlanItem } from '../shared/plan.js';
import { FileMode, type FileWrite, type TreeReader } from '../shared/ports.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The state document after `change`; a tree without a state gets a fresh one (`currentState: {}`, as RKE writes before the first `rke up`). */
export function nextDocument(
  tree: RkeTree,
  change: BundleChange,
  rkeConfig: Record<string, unknown>,
): Record<string, unknown> {
  if (tree.state !== undefined && tree.source !== undefined)
    return applyBundleChange(tree.state, change);
  const base = tree.state?.document ?? {};
  const desired = { rkeConfig, certificatesBundle: Object.fromEntries(change.set) };
  return { ...base, desiredState: desired, currentState: base.currentState ?? {} };
}

/** The state file write. */
export function stateWrite(tree: RkeTree, document: Record<string, unknown>): FileWrite {
  return {
    path: tree.files.stateFile,
    data: encoder.encode(serializeRkeState(document)),
    mode: FileMode.key,
  };
}

/**
 * The admin kubeconfig write when `kube-admin` or `kube-ca` changes; undefined otherwise, or when
 * the admin entry has no key (a custom kube-admin without one cannot make a kubeconfig).
 */
export async function adminKubeconfigWrite(
  reader: TreeReader,
  tree: RkeTree,
  change: BundleChange,
): Promise<FileWrite | undefined> {
  if (!change.set.has(KUBE_ADMIN) && !change.set.has(KUBE_CA)) return undefined;
  const admin = entryText(change.set.get(KUBE_ADMIN) ?? tree.bundle[KUBE_ADMIN]);
  const caPem = (change.set.get(KUBE_CA) ?? tree.bundle[KUBE_CA])?.certificatePEM ?? '';
  if (admin.cert === '' || admin.key === '' || caPem === '') return undefined;
  const existing = await reader.read(tree.files.adminKubeconfig);
  const text =
    existing === undefined
      ? adminKubeconfig({
          server: adminServerOf(tree.spec),
          clusterName: tree.spec.clusterName,
          caPem,
          certPem: admin.cert,
          keyPem: admin.key,
        })
      : replaceKubeconfigCredentials(decoder.decode(existing), tree.files.adminKubeconfig, {
          caPem,
          certPem: admin.cert,
          keyPem: admin.key,
        });
  return {
    path: tree.files.adminKubeconfig,
    data: encoder.encode(text),
    mode: FileMode.kubeconfig,
  };
}

function entryText(entry: BundleEntry | undefined): { cert: string; key: string } {
  return { cert: entry?.certificatePEM ?? '', key: entry?.keyPEM ?? '' };
}

/**
 * `items` with the admin kubeconfig named by the items of the entries it is made from (`kube-admin`,
 * `kube-ca`) when `writes` write it, so the plan lists every file apply changes.
 */
export function withAdminKubeconfig(
  items: readonly PlanItem[],
  writes: readonly FileWrite[],
  adminKubeconfig: string,
): PlanItem[] {
  if (!writes.some((write) => write.path === adminKubeconfig)) return [...items];
  return items.map((item) =>
    item.action !== 'reuse' && (item.name === 'kube-admin' || item.name === KUBE_CA)
      ? { ...item, files: [...item.files, adminKubeconfig] }
      : item,
  );
}
