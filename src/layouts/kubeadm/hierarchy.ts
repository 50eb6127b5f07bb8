/**
 * kubeadm's CAs under a custom root and intermediate. Each CA file holds the CA certificate alone:
 * Go takes every certificate of a CA file as a trust anchor, so putting the shared root in
 * `ca.crt` would make the API server accept client certificates issued by the front-proxy or etcd
 * CA. The root and intermediate go beside the tree, to be moved offline.
 */
import type { HierarchySpec } from '../hierarchy.js';
import type { KubeadmSpec } from './spec.js';

/** The hierarchy for a kubeadm spec; `stamp` is the Unix time that names the root and intermediate. */
export function kubeadmHierarchy(spec: KubeadmSpec, stamp: number): HierarchySpec {
  const dir = spec.certificatesDir;
  const ca = (name: string, base: string, cn: string): HierarchySpec['cas'][number] => ({
    name,
    cn,
    keyAlgorithm: spec.encryptionAlgorithm,
    certPath: `${dir}/${base}.crt`,
    keyPath: `${dir}/${base}.key`,
    withChain: false,
  });
  return {
    rootCn: `kubernetes-root-ca@${stamp}`,
    intermediateCn: `kubernetes-intermediate-ca@${stamp}`,
    cas: [
      ca('ca', 'ca', 'kubernetes'),
      ca('front-proxy-ca', 'front-proxy-ca', 'front-proxy-ca'),
      ...(spec.etcd.external ? [] : [ca('etcd-ca', 'etcd/ca', 'etcd-ca')]),
    ],
    rootDays: 7300,
    intermediateDays: 3700,
    caDays: 3650,
  };
}
