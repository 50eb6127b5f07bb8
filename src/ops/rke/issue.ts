/**
 * Issuing RKE certificates (pki/util.go newSignedCert, pki/cert NewSelfSignedCACert): RSA 2048,
 * leaves without BasicConstraints, leaf NotBefore = the CA's NotBefore. One deliberate
 * difference: a leaf's NotAfter is clamped to its CA's, so no leaf outlives the CA that signs it.
 */
import { OperationError, ValidationError } from '../../errors.js';
import type { Certificate } from '../../pki/certificate.js';
import { encodePrivateKey, type PrivateKey } from '../../pki/keys.js';
import { issueCertificate, subjectKeyIdOf, type SigningAuthority } from '../../pki/issue.js';
import { randomSerial } from '../../pki/serial.js';
import type { RkeCaEntry, RkeCertEntry } from '../../layouts/rke/catalogue.js';
import {
  adminKubeconfig,
  adminServer,
  componentKubeconfig,
} from '../../layouts/rke/kubeconfigs.js';
import type { EntryContent } from '../../layouts/rke/bundle-entry.js';
import { hostsWithRole } from '../../layouts/rke/catalogue.js';
import type { RkeSpec } from '../../layouts/rke/spec.js';
import type { OpsContext } from '../shared/ports.js';

/** A new self-signed RKE CA: valid from now for ten years. */
export async function issueRkeCa(
  ctx: OpsContext,
  entry: RkeCaEntry,
  now: Date,
): Promise<SigningAuthority> {
  const key = await ctx.keys.generate(entry.keyAlgorithm);
  const template = {
    subject: entry.subject,
    isCA: true,
    keyUsage: entry.keyUsage,
    extKeyUsage: [],
    notBefore: now,
    notAfter: new Date(now.getTime() + entry.validityMs),
    serialHex: randomSerial(ctx.random),
  };
  return {
    certificate: await sign(entry.name, () =>
      issueCertificate(template, key.keyObject, { selfSigned: key }),
    ),
    key,
  };
}

/**
 * A leaf signed by `ca`, with `key` when given (a preserved key), else a new one.
 * @throws ValidationError `CA_EXPIRED` when the CA is no longer valid at `now`.
 */
export async function issueRkeLeaf(
  ctx: OpsContext,
  entry: RkeCertEntry,
  ca: SigningAuthority,
  now: Date,
  key?: PrivateKey,
): Promise<{ certificate: Certificate; key: PrivateKey }> {
  const caCert = ca.certificate;
  const notAfter = new Date(Math.min(now.getTime() + entry.validityMs, caCert.notAfter.getTime()));
  if (notAfter.getTime() <= now.getTime()) {
    throw new ValidationError(
      'CA_EXPIRED',
      `cannot issue "${entry.name}": CA "${entry.ca}" expired on ${caCert.notAfter.toISOString()}`,
      { hint: 'rotate the CAs with: kpki rotate --rotate-ca' },
    );
  }
  const leafKey = key ?? (await ctx.keys.generate(entry.keyAlgorithm));
  const template = {
    subject: entry.subject,
    altNames: entry.altNames,
    isCA: false,
    keyUsage: entry.keyUsage,
    extKeyUsage: entry.extKeyUsage,
    notBefore: caCert.notBefore,
    notAfter,
    serialHex: randomSerial(ctx.random),
    basicConstraints: false,
  };
  return {
    certificate: await sign(entry.name, () =>
      issueCertificate(template, leafKey.keyObject, withKeyId(ca)),
    ),
    key: leafKey,
  };
}

/**
 * RKE ≤ v1.2 CAs have no subject key id, so Go gave their leaves no authority key id, which strict
 * verifiers (openssl -x509_strict) reject. The leaf gets one derived from the CA's key by RFC 5280
 * §4.2.1.2 method 1 — the value Go would have put in the CA — which matches any verifier's lookup.
 */
function withKeyId(ca: SigningAuthority): SigningAuthority {
  if (ca.certificate.subjectKeyId !== undefined) return ca;
  return {
    key: ca.key,
    certificate: { ...ca.certificate, subjectKeyId: subjectKeyIdOf(ca.certificate.spki) },
  };
}

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

async function sign<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new OperationError('SIGN_FAILED', `cannot sign the certificate for "${name}"`, {
      cause: error,
    });
  }
}
