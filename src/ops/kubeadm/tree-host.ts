/**
 * The node name and advertise address an existing kubeadm tree was made for, read from its
 * certificates, so commands run without --config describe that node rather than the host they
 * run on (a copied tree, a rescue shell, a container): kubelet.conf's `system:node:<name>` (else
 * etcd-server's CN), and the apiserver certificate's second IP SAN, where kubeadm puts the
 * advertise address after the `kubernetes` Service IP.
 */
import {
  requireCaWithRole,
  type Catalogue,
  type IssuedCertEntry,
} from '../../layouts/catalogue.js';
import type { HostDefaults } from '../../layouts/kubeadm/spec.js';
import { loadIssued } from './load-tree.js';
import type { TreeReader } from '../shared/ports.js';

const NODE_USER = 'system:node:';

/**
 * What the tree says about its node, over `host` for what it does not say. Reads only; a
 * missing or unreadable file just leaves the host's value.
 */
export async function treeHostDefaults(
  reader: TreeReader,
  catalogue: Catalogue,
  host: HostDefaults,
): Promise<{ readonly host: HostDefaults; readonly fromTree: boolean }> {
  const cluster = requireCaWithRole(catalogue, 'cluster').name;
  const kubelet = catalogue.kubeconfigs.find((k) => k.subject.cn.startsWith(NODE_USER));
  const apiserver = catalogue.leaves.find(
    (l) => l.ca === cluster && l.extKeyUsage.includes('serverAuth'),
  );
  const etcdServer = catalogue.leaves.find(
    (l) =>
      l.ca !== cluster &&
      l.extKeyUsage.includes('serverAuth') &&
      l.subject.cn === host.hostname.toLowerCase(),
  );
  const cn = async (entry: IssuedCertEntry | undefined): Promise<string | undefined> =>
    entry ? (await loadIssued(reader, entry).catch(() => undefined))?.cert?.subject.cn : undefined;
  const kubeletCn = await cn(kubelet);
  const name = kubeletCn?.startsWith(NODE_USER)
    ? kubeletCn.slice(NODE_USER.length)
    : await cn(etcdServer);
  const apiCert = apiserver
    ? (await loadIssued(reader, apiserver).catch(() => undefined))?.cert
    : undefined;
  const address = apiCert?.ipAddresses[1];
  return {
    host: { hostname: name ?? host.hostname, address: address ?? host.address },
    fromTree: name !== undefined || address !== undefined,
  };
}
