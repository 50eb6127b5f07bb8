/**
 * Which bundle entries a node receives (cert-deployer's getCertKeys, reference rke.md §5) and the
 * file names they become in `/etc/kubernetes/ssl/`.
 */
import { familyOf, KUBE_CA, REQUESTHEADER_CA } from './catalogue.js';
import type { RkeNode } from './spec.js';

/** One entry shipped to a node. */
export interface NodeEntry {
  readonly name: string;
  /** False for kube-ca on nodes without the controlplane role: its key stays off them. */
  readonly withKey: boolean;
}

const EVERY_NODE = new Set([KUBE_CA, 'kube-proxy', 'kube-node']);
const CONTROL_PLANE = new Set([
  'kube-apiserver',
  'kube-service-account-token',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-etcd-client',
  'kube-etcd-client-ca',
  REQUESTHEADER_CA,
  'kube-apiserver-proxy-client',
]);

/**
 * The entries of `names` (a bundle's names) that `node` receives, in bundle order: every node
 * gets kube-ca, kube-proxy, kube-node and every kubelet serving certificate; etcd nodes every
 * `kube-etcd-*`; control-plane nodes the control-plane set and the kube-ca key.
 */
export function nodeEntries(node: RkeNode, names: readonly string[]): NodeEntry[] {
  const controlPlane = node.roles.includes('controlplane');
  const etcd = node.roles.includes('etcd');
  const entries: NodeEntry[] = [];
  for (const name of names) {
    const family = familyOf(name);
    const wanted =
      EVERY_NODE.has(name) ||
      family === 'kube-kubelet' ||
      (etcd && family === 'kube-etcd') ||
      (controlPlane && CONTROL_PLANE.has(name));
    if (wanted) entries.push({ name, withKey: name !== KUBE_CA || controlPlane });
  }
  return entries;
}

/** File names in `/etc/kubernetes/ssl/`. */
export function nodeFileNames(name: string): { cert: string; key: string; kubeconfig: string } {
  return { cert: `${name}.pem`, key: `${name}-key.pem`, kubeconfig: `kubecfg-${name}.yaml` };
}

/**
 * The node of the spec whose address, internal address or hostname override is `address`.
 * Returns undefined when none matches.
 */
export function findNode(nodes: readonly RkeNode[], address: string): RkeNode | undefined {
  return (
    nodes.find((node) => node.address === address) ??
    nodes.find((node) => node.internalAddress === address || node.hostnameOverride === address)
  );
}
