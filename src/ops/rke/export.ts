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
import { applyPlanned, PreparedChange, type Apply, type Planned } from '../shared/plan.js';
import { FileMode, type FileWrite, type OpsContext, type TreeStore } from '../shared/ports.js';

/** Inputs of an export. */
export interface RkeExportParams {
  readonly files: RkeFiles;
  /** The node's address, internal address or hostname override. */
  readonly node: string;
  /** Where the files go (created as one commit, backed up if replaced). */
  readonly out: TreeStore;
}

/** An export plan: its change is relative to `out`, the tree apply commits to. */
export interface RkeExportPlanned extends Planned {
  readonly out: TreeStore;
}

const encoder = new TextEncoder();

/** The files of one node, and a warning for each file the node needs that the state cannot give. */
export interface RkeNodeFiles {
  readonly writes: FileWrite[];
  readonly missing: string[];
}

/**
 * The files of a node, as writes relative to the output directory, and what the state lacks.
 * @throws UnknownNameError when no node of the cluster file has that address; as readRkeTree.
 */
export async function rkeNodeFiles(
  ctx: OpsContext,
  params: Omit<RkeExportParams, 'out'>,
): Promise<RkeNodeFiles> {
  const tree = requireState(await readRkeTree(ctx.tree, params.files));
  requireSoundBundle(tree);
  const node = findNode(tree.spec.nodes, params.node);
  if (!node) {
    throw new UnknownNameError(`no node "${params.node}" in "${params.files.clusterFile}"`, {
      hint: `nodes: ${tree.spec.nodes.map((n) => n.address).join(', ')}`,
    });
  }
  const current = tree.catalogue.leaves.map((leaf) => leaf.name);
  // Per-host entries of hosts that left are not shipped: no container uses them.
  const names = [
    ...Object.keys(tree.bundle).filter(
      (name) => familyOf(name) === undefined || current.includes(name),
    ),
    ...current.filter((name) => !(name in tree.bundle)),
  ];
  const writes: FileWrite[] = [];
  const missing: string[] = [];
  for (const { name, withKey } of nodeEntries(node, names)) {
    const entry = tree.bundle[name];
    const files = nodeFileNames(name);
    if (entry?.certificatePEM)
      writes.push({
        path: files.cert,
        data: encoder.encode(entry.certificatePEM),
        mode: FileMode.cert,
      });
    else missing.push(`${files.cert} ("${name}" has no certificate in the state)`);
    if (withKey && entry?.keyPEM)
      writes.push({ path: files.key, data: encoder.encode(entry.keyPEM), mode: FileMode.key });
    else if (withKey && entry?.certificatePEM)
      missing.push(`${files.key} ("${name}" has no key in the state)`);
    if (entry?.config)
      writes.push({
        path: files.kubeconfig,
        data: encoder.encode(entry.config),
        mode: FileMode.kubeconfig,
      });
  }
  return { writes: writes.sort((a, b) => a.path.localeCompare(b.path)), missing };
}

/**
 * Plans the export: one item per file, and a warning naming each file the node needs that the
 * state cannot give (e.g. an etcd node without its `kube-etcd-*` entry; `kpki rotate --service
 * etcd` issues it).
 * @throws as {@link rkeNodeFiles}.
 */
export async function planRkeExport(
  ctx: OpsContext,
  params: RkeExportParams,
): Promise<RkeExportPlanned> {
  const { writes, missing } = await rkeNodeFiles(ctx, params);
  const warnings =
    missing.length === 0
      ? []
      : [
          `not exported, the state has nothing for them: ${missing.join(', ')}; kpki rotate issues missing entries`,
        ];
  return {
    plan: {
      operation: 'rke-export',
      root: params.out.root,
      items: writes.map((write) => ({
        name: write.path,
        action: 'create',
        reason: `for node ${params.node}`,
        files: [write.path],
      })),
      restart: [],
      warnings,
    },
    change: new PreparedChange('rke-export', writes),
    out: params.out,
  };
}

/**
 * Writes a node's files to `planned.out` in one commit (the caller holds `out.exclusive`, as it
 * holds the cluster tree's lock for other applies); undefined when there is nothing to write.
 */
export const applyRkeExport: Apply<RkeExportPlanned> = (_ctx, planned) =>
  applyPlanned({ tree: planned.out }, planned);
