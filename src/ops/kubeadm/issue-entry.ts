/**
 * Issuing one catalogue entry (a leaf or a kubeconfig client certificate) from a CA, and turning
 * the result into the files the layout writes.
 */
import { OperationError } from '../../errors.js';
import { encodePrivateKey, type PrivateKey } from '../../pki/keys.js';
import {
  issueCertificate,
  type CertificateTemplate,
  type SigningAuthority,
} from '../../pki/issue.js';
import { randomSerial } from '../../pki/serial.js';
import type { Certificate, ExtKeyUsageName } from '../../pki/certificate.js';
import type { CaEntry, IssuedCertEntry } from '../../layouts/catalogue.js';
import type { SubjectFields } from '../../pki/name.js';
import type { AltNames } from '../../pki/san.js';
import { buildKubeconfig, replaceKubeconfigCredentials } from '../../layouts/kubeconfig.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

/** The validity window of a run: kubeadm ≥ 1.31 backdates by five minutes from one start time. */
export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Identity fields of a certificate to issue (from the catalogue, or copied from an existing one). */
export interface Identity {
  readonly subject: SubjectFields;
  readonly altNames: AltNames;
  readonly extKeyUsage: readonly ExtKeyUsageName[];
}

const encoder = new TextEncoder();

/** Issues a self-signed CA certificate for a catalogue CA entry with a new key. */
export async function issueCa(
  ctx: OpsContext,
  entry: CaEntry,
  validity: Validity,
): Promise<SigningAuthority> {
  const key = await ctx.keys.generate(entry.keyAlgorithm);
  const template: CertificateTemplate = {
    subject: entry.subject,
    altNames: entry.altNames,
    isCA: true,
    keyUsage: entry.keyUsage,
    extKeyUsage: [],
    ...validity,
    serialHex: randomSerial(ctx.random),
  };
  return {
    certificate: await signOrFail(entry.name, () =>
      issueCertificate(template, key.keyObject, { selfSigned: key }),
    ),
    key,
  };
}

/** Issues a leaf certificate with a new key, signed by `ca`. */
export async function issueLeaf(
  ctx: OpsContext,
  entry: IssuedCertEntry,
  identity: Identity,
  ca: SigningAuthority,
  validity: Validity,
): Promise<{ certificate: Certificate; key: PrivateKey }> {
  const key = await ctx.keys.generate(entry.keyAlgorithm);
  const template: CertificateTemplate = {
    subject: identity.subject,
    altNames: identity.altNames,
    isCA: false,
    keyUsage: entry.keyUsage,
    extKeyUsage: identity.extKeyUsage,
    ...validity,
    serialHex: randomSerial(ctx.random),
  };
  const certificate = await signOrFail(entry.name, () =>
    issueCertificate(template, key.keyObject, ca),
  );
  return { certificate, key };
}

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
 * or the existing text with only its credentials and CA data replaced).
 */
export function issuedFiles(
  entry: IssuedCertEntry,
  issued: { certificate: Certificate; key: PrivateKey },
  caPem: string,
  existingKubeconfig?: string,
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
        });
  return [{ path: entry.path, data: encoder.encode(text), mode: FileMode.kubeconfig }];
}

async function signOrFail<T>(name: string, sign: () => Promise<T>): Promise<T> {
  try {
    return await sign();
  } catch (error) {
    throw new OperationError('SIGN_FAILED', `cannot sign the certificate for "${name}"`, {
      cause: error,
    });
  }
}
