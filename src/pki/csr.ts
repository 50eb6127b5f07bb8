/**
 * PKCS#10 certificate signing requests, as Go's x509.CreateCertificateRequest writes them for
 * kubeadm's generate-csr: subject (O before CN) and, when there are SANs, one extensionRequest
 * attribute holding the SAN extension; no key usages (the signer applies them). RKE's generate-csr
 * also requests extended key usages, passed as `extKeyUsage`.
 */
import { createPublicKey } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import { webcrypto, x509 } from './crypto-provider.js';
import { decodeNameFields, encodeName, type SubjectFields } from './name.js';
import { decodePem, encodePem } from './pem.js';
import { canonicalIp, type AltNames } from './san.js';
import { pkcs8Of, type PrivateKey } from './keys.js';
import { algorithmOf } from './signing-algorithm.js';
import { EKU_OIDS, type ExtKeyUsageName } from './certificate.js';

/** What kpki reads from a CSR. */
export interface CertificateRequest {
  readonly pem: string;
  readonly subject: { readonly cn: string | undefined; readonly o: readonly string[] };
  readonly altNames: AltNames;
  readonly spki: Buffer;
  /** The request asks for basicConstraints CA:TRUE (a signer of leaves must refuse it). */
  readonly requestsCa: boolean;
  /** SANs of other types than DNS and IP (`email:…`, `url:…`), which kpki never issues. */
  readonly otherSans: readonly string[];
}

/** Builds and signs a CSR for `key`; `extKeyUsage` (default none) adds a non-critical EKU request. */
export async function buildCsr(
  subject: SubjectFields,
  altNames: AltNames,
  key: PrivateKey,
  extKeyUsage: readonly ExtKeyUsageName[] = [],
): Promise<CertificateRequest> {
  const algorithm = algorithmOf(key.keyObject);
  const spki = createPublicKey(key.keyObject).export({ type: 'spki', format: 'der' });
  const san = [
    ...altNames.dns.map((value) => ({ type: 'dns' as const, value })),
    ...altNames.ip.map((value) => ({ type: 'ip' as const, value })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name(encodeName(subject)),
    keys: {
      privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8Of(key), algorithm, false, [
        'sign',
      ]),
      publicKey: await webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify']),
    },
    signingAlgorithm: algorithm,
    extensions: [
      ...(san.length > 0 ? [new x509.SubjectAlternativeNameExtension(san, false)] : []),
      ...(extKeyUsage.length > 0
        ? [
            new x509.ExtendedKeyUsageExtension(
              extKeyUsage.map((eku) => EKU_OIDS[eku]),
              false,
            ),
          ]
        : []),
    ],
  });
  return parseCsr(encodePem('CERTIFICATE REQUEST', new Uint8Array(csr.rawData)), 'new CSR');
}

/**
 * Parses a PEM CSR and checks its self-signature.
 * @throws InvalidInputError `BAD_CSR` naming `source` when it does not parse or its signature is wrong.
 */
export async function parseCsr(text: string, source: string): Promise<CertificateRequest> {
  const block = decodePem(text, source).find(
    (b) => b.type === 'CERTIFICATE REQUEST' || b.type === 'NEW CERTIFICATE REQUEST',
  );
  if (!block) throw new InvalidInputError('BAD_CSR', `no certificate request found in "${source}"`);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(block.der);
  } catch (error) {
    throw new InvalidInputError('BAD_CSR', `"${source}" is not a valid certificate request`, {
      cause: error,
    });
  }
  if (!(await csr.verify().catch(() => false)))
    throw new InvalidInputError(
      'BAD_CSR',
      `the signature of the request in "${source}" does not verify`,
    );
  const san = csr.getExtension('2.5.29.17') as x509.SubjectAlternativeNameExtension | null;
  const names = san?.names.items ?? [];
  const basic = csr.getExtension('2.5.29.19') as x509.BasicConstraintsExtension | null;
  return {
    pem: encodePem('CERTIFICATE REQUEST', block.der),
    subject: decodeNameFields(csr.subjectName.toArrayBuffer()),
    altNames: {
      dns: names.filter((n) => n.type === 'dns').map((n) => n.value),
      ip: names.filter((n) => n.type === 'ip').map((n) => canonicalIp(n.value) ?? n.value),
    },
    spki: Buffer.from(csr.publicKey.rawData),
    requestsCa: basic?.ca === true,
    otherSans: names
      .filter((n) => n.type !== 'dns' && n.type !== 'ip')
      .map((n) => `${n.type}:${n.value}`),
  };
}
