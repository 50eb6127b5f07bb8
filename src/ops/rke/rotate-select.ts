/**
 * Which entries an RKE rotation touches (reference rke.md §3.2): `--rotate-ca` regenerates both
 * CAs and then every leaf; no service (or Rancher's single empty string) rotates every leaf; each
 * `--service` rotates its own entries and removes its per-host entries for hosts that left. The
 * service-account entry is only re-signed after a CA rotation, with its key kept.
 */
import {
  familiesOfService,
  familyOf,
  REQUESTHEADER_CA,
  type RkeCaEntry,
  type RkeCertEntry,
  type RkeService,
} from '../../layouts/rke/catalogue.js';
import type { RkeTree } from './tree.js';

/** The entries to (re)issue and the bundle names to remove. */
export interface RotationSelection {
  readonly cas: readonly RkeCaEntry[];
  readonly leaves: readonly RkeCertEntry[];
  readonly remove: readonly string[];
}

/** Computes the selection; `services` are already validated. */
export function selectRotation(
  tree: RkeTree,
  services: readonly RkeService[],
  rotateCa: boolean,
): RotationSelection {
  const full = rotateCa || services.length === 0;
  const cas = tree.catalogue.cas.filter(
    (ca) => rotateCa || (full && ca.name === REQUESTHEADER_CA && !(ca.name in tree.bundle)),
  );
  const leaves = tree.catalogue.leaves.filter((leaf) => {
    if (leaf.preserveKey) return rotateCa || !(leaf.name in tree.bundle);
    return full || (leaf.service !== undefined && services.includes(leaf.service));
  });
  const families = new Set(
    full
      ? (['kube-etcd', 'kube-kubelet'] as const)
      : services.flatMap((service) => familiesOfService(service)),
  );
  const wanted = new Set(tree.catalogue.leaves.map((leaf) => leaf.name));
  const remove = Object.keys(tree.bundle).filter((name) => {
    const family = familyOf(name);
    return family !== undefined && families.has(family) && !wanted.has(name);
  });
  return { cas, leaves, remove };
}
