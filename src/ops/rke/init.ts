/**
 * `init` for RKE1: a complete state file for the cluster. Whatever the state already holds is
 * kept; only the entries the catalogue names and the state lacks are created, and the state must
 * be sound first (nothing is ever overwritten). A new state gets `rkeConfig` from the cluster file
 * and `"currentState": {}`, as RKE writes before the first `rke up`.
 */
import { ValidationError } from '../../errors.js';
import type { SigningAuthority } from '../../pki/issue.js';
import type { BundleEntry } from '../../layouts/rke/state.js';
import { newBundleEntry } from '../../layouts/rke/bundle-entry.js';
import { KUBE_CA, type RkeCertEntry } from '../../layouts/rke/catalogue.js';
import type { RkeFiles } from '../../layouts/rke/files.js';
import { caContent, leafContent } from './issue.js';
import { issueCa, issueLeaf } from '../shared/issue.js';
import { RKE_ISSUANCE } from '../../layouts/rke/issuance-profile.js';
import { existingAuthorities, readRkeTree, requireSoundBundle, type RkeTree } from './tree.js';
import { adminKubeconfigWrite, nextDocument, stateWrite } from './write.js';
import { withAdminKubeconfig } from './write.js';
import {
  applyPlanned,
  PreparedChange,
  type Apply,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import type { FileWrite, OpsContext } from '../shared/ports.js';

/** Inputs of RKE init. */
export interface RkeInitParams {
  readonly files: RkeFiles;
  /** `rkeConfig` for a new state (the cluster file in RKE's JSON field names). */
  readonly rkeConfig: Record<string, unknown>;
}

/**
 * Plans init: `create` for what the state lacks, `reuse` for the rest, with the missing entries
 * issued into the plan's change (the state file, and the admin kubeconfig when it is missing).
 * Writes nothing.
 * @throws ValidationError `BROKEN_STATE`, `CA_KEY_MISSING`.
 */
export async function planRkeInit(ctx: OpsContext, params: RkeInitParams): Promise<Planned> {
  const tree = await readRkeTree(ctx.tree, params.files);
  requireSoundBundle(tree);
  const writes = await initWrites(ctx, tree, params);
  const items: PlanItem[] = [...tree.catalogue.cas, ...tree.catalogue.leaves].map((entry) =>
    entry.name in tree.bundle
      ? { name: entry.name, action: 'reuse', reason: 'in the state', files: [] }
      : {
          name: entry.name,
          action: 'create',
          reason: 'missing from the state',
          files: [params.files.stateFile],
        },
  );
  return {
    plan: {
      operation: 'init',
      root: ctx.tree.root,
      items: withAdminKubeconfig(items, writes, tree.files.adminKubeconfig),
      restart: [],
      warnings: [],
    },
    change: new PreparedChange('init', writes),
  };
}

/** Commits an init plan; undefined when nothing was missing. */
export const applyRkeInit: Apply = applyPlanned;

async function initWrites(
  ctx: OpsContext,
  tree: RkeTree,
  params: RkeInitParams,
): Promise<FileWrite[]> {
  const now = ctx.clock.now();
  const set = new Map<string, BundleEntry>();
  const authorities = existingAuthorities(tree);
  for (const ca of tree.catalogue.cas) {
    if (!tree.loaded.has(ca.name)) {
      const issued = await issueCa(ctx, RKE_ISSUANCE, ca, now);
      authorities.set(ca.name, issued);
      set.set(ca.name, newBundleEntry(ca.name, caContent(ca, issued), params.files.clusterFile));
    }
  }
  const missing = tree.catalogue.leaves.filter((leaf) => !(leaf.name in tree.bundle));
  const issued = await Promise.all(
    missing.map(
      async (leaf) => [leaf.name, await issueMissing(ctx, tree, leaf, authorities, now)] as const,
    ),
  );
  for (const [name, entry] of issued) set.set(name, entry);
  if (set.size === 0) return [];
  const change = { set, remove: [] };
  const writes: FileWrite[] = [stateWrite(tree, nextDocument(tree, change, params.rkeConfig))];
  const admin = await adminKubeconfigWrite(ctx.tree, tree, change);
  if (admin && !(await ctx.tree.exists(tree.files.adminKubeconfig))) writes.push(admin);
  return writes;
}

async function issueMissing(
  ctx: OpsContext,
  tree: RkeTree,
  leaf: RkeCertEntry,
  authorities: Map<string, SigningAuthority>,
  now: Date,
): Promise<BundleEntry> {
  const ca = authorities.get(leaf.ca);
  const kubeCa = authorities.get(KUBE_CA);
  if (!ca || !kubeCa)
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot create "${leaf.name}": the key of CA "${leaf.ca}" is not in "${tree.files.stateFile}"`,
    );
  const content = leafContent(
    leaf,
    await issueLeaf(ctx, RKE_ISSUANCE, leaf, ca, now),
    tree.spec,
    kubeCa.certificate.pem,
  );
  return newBundleEntry(leaf.name, content, tree.files.clusterFile);
}
