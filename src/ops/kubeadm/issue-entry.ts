/**
 * The identity a kubeadm entry is issued with (from the catalogue, or copied on renewal), and the
 * files an issued CA or entry becomes. Issuing itself is ops/shared/issue.ts with kubeadm's profile.
 */
import { encodePrivateKey, type PrivateKey } from '../../pki/keys.js';
import type { SigningAuthority } from '../../pki/issue.js';
import type { Certificate, ExtKeyUsageName } from '../../pki/certificate.js';
import type { CaEntry, IssuedCertEntry } from '../../layouts/catalogue.js';
import type { SubjectFields } from '../../pki/name.js';
import type { AltNames } from '../../pki/san.js';
import { buildKubeconfig, replaceKubeconfigCredentials } from '../../layouts/kubeconfig.js';
import { FileMode, type FileWrite } from '../shared/ports.js';

/** Identity fields of a certificate to issue (from the catalogue, or copied from an existing one). */
export interface Identity {
  readonly subject: SubjectFields;
  readonly altNames: AltNames;
  readonly extKeyUsage: readonly ExtKeyUsageName[];
}

const encoder = new TextEncoder();

/** The catalogue's identity for an entry (used when creating rather than renewing). */
export function catalogueIdentity(entry: IssuedCertEntry): Identity {
  return { subject: entry.subject, altNames: entry.altNames, extKeyUsage: entry.extKeyUsage };
}

/** kubeadm renew copies only CN, O, DNS and IP SANs and EKU from the existing certificate. */
export function copiedIdentity(cert: Certificate, fallback: IssuedCertEntry): Identity {
  const eku = cert.extKeyUsage.filter(
    (usage): usage is ExtKeyUsageName => usage === 'serverAuth' || usage === 'clientAuth',
  );
  return {
    subject: { cn: cert.subject.cn ?? fallback.subject.cn, o: cert.subject.o },
    altNames: { dns: cert.dnsNames, ip: cert.ipAddresses },
    extKeyUsage: eku,
  };
}

/** Files of a CA: certificate 0644 and key 0600. */
export function caFiles(entry: CaEntry, ca: SigningAuthority): FileWrite[] {
  return [
    { path: entry.keyPath, data: encoder.encode(encodePrivateKey(ca.key)), mode: FileMode.key },
    { path: entry.certPath, data: encoder.encode(ca.certificate.pem), mode: FileMode.cert },
  ];
}

/**
 * Files of an issued entry: a leaf's key and single-block certificate, or a kubeconfig (a new one,
 * or the existing text with only its credentials and CA data replaced, and its server URL when
 * `server` is given).
 */
export function issuedFiles(
  entry: IssuedCertEntry,
  issued: { certificate: Certificate; key: PrivateKey },
  caPem: string,
  existingKubeconfig?: string,
  server?: string,
): FileWrite[] {
  const keyPem = encodePrivateKey(issued.key);
  if (entry.kind === 'leaf') {
    return [
      { path: entry.keyPath, data: encoder.encode(keyPem), mode: FileMode.key },
      { path: entry.certPath, data: encoder.encode(issued.certificate.pem), mode: FileMode.cert },
    ];
  }
  const text =
    existingKubeconfig === undefined
      ? buildKubeconfig({
          clusterName: entry.clusterName,
          server: entry.server,
          caPem,
          userName: entry.userName,
          certPem: issued.certificate.pem,
          keyPem,
        })
      : replaceKubeconfigCredentials(existingKubeconfig, entry.path, {
          caPem,
          certPem: issued.certificate.pem,
          keyPem,
          server,
        });
  return [{ path: entry.path, data: encoder.encode(text), mode: FileMode.kubeconfig }];
}
