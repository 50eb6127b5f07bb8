/**
 * kubeadm's CAs under a custom root and intermediate. Each CA file holds the CA certificate alone:
 * Go takes every certificate of a CA file as a trust anchor, so putting the shared root in
 * `ca.crt` would make the API server accept client certificates issued by the front-proxy or etcd
 * CA. The root and intermediate go beside the tree, to be moved offline.
 */
import type { HierarchySpec } from '../hierarchy.js';
import { kubeadmCatalogue } from './catalogue.js';
import type { KubeadmSpec } from './spec.js';

/**
 * The hierarchy for a kubeadm spec: the catalogue's CAs (no etcd CA with external etcd), with
 * their names, CNs, key algorithm and files; `stamp` is the Unix time that names the root and
 * intermediate.
 */
export function kubeadmHierarchy(spec: KubeadmSpec, stamp: number): HierarchySpec {
  return {
    rootCn: `kubernetes-root-ca@${stamp}`,
    intermediateCn: `kubernetes-intermediate-ca@${stamp}`,
    cas: kubeadmCatalogue(spec).catalogue.cas.map((ca) => ({
      name: ca.name,
      cn: ca.subject.cn,
      keyAlgorithm: ca.keyAlgorithm,
      certPath: ca.certPath,
      keyPath: ca.keyPath,
      withChain: false,
    })),
    rootDays: 7300,
    intermediateDays: 3700,
    caDays: 3650,
  };
}
