/**
 * What RKE certificates become in the bundle: PEMs and, for some entries, a kubeconfig. Issuing
 * itself is ops/shared/issue.ts with RKE's profile (layouts/rke/issuance-profile.ts).
 */
import type { Certificate } from '../../pki/certificate.js';
import { encodePrivateKey, type PrivateKey } from '../../pki/keys.js';
import type { SigningAuthority } from '../../pki/issue.js';
import type { RkeCaEntry, RkeCertEntry } from '../../layouts/rke/catalogue.js';
import {
  adminKubeconfig,
  adminServer,
  componentKubeconfig,
} from '../../layouts/rke/kubeconfigs.js';
import type { EntryContent } from '../../layouts/rke/bundle-entry.js';
import { hostsWithRole } from '../../layouts/rke/catalogue.js';
import type { RkeSpec } from '../../layouts/rke/spec.js';

/** The admin kubeconfig's server: the first control-plane host (the first host when none has the role). */
export function adminServerOf(spec: RkeSpec): string {
  const host = hostsWithRole(spec, 'controlplane')[0] ?? spec.nodes[0];
  return adminServer(host?.address ?? '127.0.0.1');
}

/** The PEMs and kubeconfig of an issued leaf as the bundle stores them. */
export function leafContent(
  entry: RkeCertEntry,
  issued: { certificate: Certificate; key: PrivateKey },
  spec: RkeSpec,
  caPem: string,
): EntryContent {
  const keyPEM = encodePrivateKey(issued.key);
  const certificatePEM = issued.certificate.pem;
  let config = '';
  if (entry.kubeconfig === 'component') config = componentKubeconfig(entry.name);
  if (entry.kubeconfig === 'admin')
    config = adminKubeconfig({
      server: adminServerOf(spec),
      clusterName: spec.clusterName,
      caPem,
      certPem: certificatePEM,
      keyPem: keyPEM,
    });
  return { certificatePEM, keyPEM, config };
}

/** The PEMs (and the requestheader CA's component kubeconfig) of a CA. */
export function caContent(entry: RkeCaEntry, ca: SigningAuthority): EntryContent {
  return {
    certificatePEM: ca.certificate.pem,
    keyPEM: encodePrivateKey(ca.key),
    config: entry.kubeconfig === 'component' ? componentKubeconfig(entry.name) : '',
  };
}
