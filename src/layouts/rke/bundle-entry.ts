/**
 * Building `certificatesBundle` entries the way RKE's ToCertObject fills them: the PEMs, the
 * kubeconfig, and the metadata fields (env names, on-node paths, and the `commonName`/`ouName`
 * values RKE writes, which are not the certificate's subject — §2.3).
 */
import type { BundleEntry } from './state.js';
import { RKE_SSL_DIR } from './catalogue.js';

/** The PEMs and kubeconfig of an entry. */
export interface EntryContent {
  readonly certificatePEM: string;
  readonly keyPEM: string;
  readonly config: string;
}

/** Metadata RKE records for names with explicit values; every other name gets `system:<name>`. */
const METADATA: Readonly<Record<string, { commonName: string; ouName: string }>> = {
  'kube-node': { commonName: 'system:node', ouName: 'system:nodes' },
  'kube-admin': { commonName: 'kube-admin', ouName: 'system:masters' },
  'kube-service-account-token': { commonName: 'kube-service-account-token', ouName: '' },
};

/** `KUBE_ETCD_10_0_0_1` for `kube-etcd-10-0-0-1`. */
export function envNameOf(name: string): string {
  return name.toUpperCase().replace(/[-.]/g, '_');
}

/** The admin kubeconfig's local path as RKE records it: `./kube_config_<cluster file>`. */
export function adminConfigPath(clusterFile: string): string {
  return `./kube_config_${clusterFile}`;
}

/**
 * A new entry with RKE's field order and metadata. `clusterFile` is the cluster file's base
 * name (for kube-admin's `configPath`).
 */
export function newBundleEntry(
  name: string,
  content: EntryContent,
  clusterFile: string,
): BundleEntry {
  const envName = envNameOf(name);
  const meta = METADATA[name] ?? { commonName: `system:${name}`, ouName: '' };
  const hasConfig = content.config !== '';
  return {
    certificatePEM: content.certificatePEM,
    keyPEM: content.keyPEM,
    config: content.config,
    name,
    commonName: meta.commonName,
    ouName: meta.ouName,
    envName,
    path: `${RKE_SSL_DIR}/${name}.pem`,
    keyEnvName: `${envName}_KEY`,
    keyPath: `${RKE_SSL_DIR}/${name}-key.pem`,
    configEnvName: hasConfig ? `KUBECFG_${envName}` : '',
    configPath: !hasConfig
      ? ''
      : name === 'kube-admin'
        ? adminConfigPath(clusterFile)
        : `${RKE_SSL_DIR}/kubecfg-${name}.yaml`,
  };
}

/** An existing entry with new PEMs (and kubeconfig); every other field stays as it was. */
export function updatedBundleEntry(existing: BundleEntry, content: EntryContent): BundleEntry {
  return {
    ...existing,
    certificatePEM: content.certificatePEM,
    keyPEM: content.keyPEM,
    config: content.config,
  };
}
