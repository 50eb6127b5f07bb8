/**
 * What must restart after certificates change (reference rke.md §3.4): only the containers that
 * load a changed file, on the hosts that run them; and, after a CA rotation, the system pods RKE
 * deletes so they pick up the new CA from their service-account secrets (§3.3 step 8).
 */
import { RKE_CONTAINERS, type RkeContainer } from './catalogue.js';
import type { RkeNode, RkeRole, RkeSpec } from './spec.js';

/** Hosts that run a container: etcd on etcd hosts, the control plane on controlplane hosts, the worker plane everywhere. */
const RUNS_ON: Readonly<Record<RkeContainer, RkeRole | 'all'>> = {
  etcd: 'etcd',
  'kube-apiserver': 'controlplane',
  'kube-controller-manager': 'controlplane',
  'kube-scheduler': 'controlplane',
  kubelet: 'all',
  'kube-proxy': 'all',
};

/** Something that changed: the containers that load it, and its host for per-host certificates. */
export interface ChangedFile {
  readonly restart: readonly RkeContainer[];
  readonly host: RkeNode | undefined;
}

/**
 * `container@address` for every container that must restart, in RKE's restart order (etcd,
 * control plane, worker plane) and cluster.yml host order, without duplicates.
 */
export function restartTargets(spec: RkeSpec, changed: readonly ChangedFile[]): string[] {
  const wanted = new Set<string>();
  for (const file of changed) {
    for (const container of file.restart) {
      const role = RUNS_ON[container];
      const hosts = spec.nodes.filter((node) => role === 'all' || node.roles.includes(role));
      for (const host of hosts)
        if (file.host === undefined || file.host.address === host.address)
          wanted.add(`${container}@${host.address}`);
    }
  }
  return RKE_CONTAINERS.flatMap((container) =>
    spec.nodes.map((node) => `${container}@${node.address}`),
  ).filter((target) => wanted.has(target));
}

/** Pod label selectors RKE deletes in kube-system after `--rotate-ca` (cluster.go RestartClusterPods). */
export const CA_ROTATION_POD_SELECTORS: readonly string[] = [
  'k8s-app=flannel',
  'k8s-app=canal',
  'k8s-app=calico-node',
  'k8s-app=calico-kube-controllers',
  'name=weave-net',
  'app=ingress-nginx',
  'k8s-app=metrics-server',
  'k8s-app=kube-dns',
  'k8s-app=kube-dns-autoscaler',
  'k8s-app=coredns-autoscaler',
  'app=kube-api-auth',
  'app=cattle-cluster-agent',
];
