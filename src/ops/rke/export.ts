/**
 * `rke export`: the files one node's `/etc/kubernetes/ssl/` holds for its roles (reference rke.md
 * §5), written to a directory so users can deploy them with their own tools: `<name>.pem` (0644),
 * `<name>-key.pem` (0600; the kube-ca key only for control-plane nodes) and `kubecfg-<name>.yaml`
 * (0600) for entries with a component kubeconfig.
 */
import { UnknownNameError } from '../../errors.js';
import { familyOf } from '../../layouts/rke/catalogue.js';
import type { RkeFiles } from '../../layouts/rke/files.js';
import { findNode, nodeEntries, nodeFileNames } from '../../layouts/rke/node-files.js';
import { readRkeTree, requireSoundBundle, requireState } from './tree.js';
import {
  FileMode,
  type CommitResult,
  type FileWrite,
  type OpsContext,
  type TreeStore,
} from '../shared/ports.js';

/** Inputs of an export. */
export interface RkeExportParams {
  readonly files: RkeFiles;
  /** The node's address, internal address or hostname override. */
  readonly node: string;
  /** Where the files go (created as one commit, backed up if replaced). */
  readonly out: TreeStore;
}

const encoder = new TextEncoder();

/**
 * The files of a node, as writes relative to the output directory.
 * @throws UnknownNameError when no node of the cluster file has that address; as readRkeTree.
 */
export async function rkeNodeFiles(
  ctx: OpsContext,
  params: Omit<RkeExportParams, 'out'>,
): Promise<FileWrite[]> {
  const tree = requireState(await readRkeTree(ctx.tree, params.files));
  requireSoundBundle(tree);
  const node = findNode(tree.spec.nodes, params.node);
  if (!node) {
    throw new UnknownNameError(`no node "${params.node}" in "${params.files.clusterFile}"`, {
      hint: `nodes: ${tree.spec.nodes.map((n) => n.address).join(', ')}`,
    });
  }
  const current = new Set(tree.catalogue.leaves.map((leaf) => leaf.name));
  // Per-host entries of hosts that left are not shipped: no container uses them.
  const names = Object.keys(tree.bundle).filter(
    (name) => familyOf(name) === undefined || current.has(name),
  );
  const writes: FileWrite[] = [];
  for (const { name, withKey } of nodeEntries(node, names)) {
    const entry = tree.bundle[name];
    const files = nodeFileNames(name);
    if (entry?.certificatePEM)
      writes.push({
        path: files.cert,
        data: encoder.encode(entry.certificatePEM),
        mode: FileMode.cert,
      });
    if (withKey && entry?.keyPEM)
      writes.push({ path: files.key, data: encoder.encode(entry.keyPEM), mode: FileMode.key });
    if (entry?.config)
      writes.push({
        path: files.kubeconfig,
        data: encoder.encode(entry.config),
        mode: FileMode.kubeconfig,
      });
  }
  return writes.sort((a, b) => a.path.localeCompare(b.path));
}

/** Writes a node's files to `out` in one commit. */
export async function applyRkeExport(
  ctx: OpsContext,
  params: RkeExportParams,
): Promise<{ result: CommitResult; files: string[] }> {
  const writes = await rkeNodeFiles(ctx, params);
  const result = await params.out.exclusive(() =>
    params.out.commit({ writes, deletes: [] }, 'rke-export'),
  );
  return { result, files: writes.map((write) => write.path) };
}
