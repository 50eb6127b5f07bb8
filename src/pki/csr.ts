/**
 * PKCS#10 certificate signing requests as Go's x509.CreateCertificateRequest writes them for RKE's
 * generate-csr: subject (O before CN), and an extensionRequest attribute holding the SANs and a
 * non-critical extended key usage.
 */
import { createPublicKey } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import { x509 } from './crypto-provider.js';
import { EKU_OIDS, type ExtKeyUsageName } from './certificate.js';
import { algorithmOf, importPublicKey, importSigningKey } from './issue.js';
import type { PrivateKey } from './keys.js';
import { decodeNameFields, encodeName, type SubjectFields } from './name.js';
import { decodePem, encodePem } from './pem.js';
import { canonicalIp, type AltNames } from './san.js';

/** What a CSR asks for. */
export interface CsrTemplate {
  readonly subject: SubjectFields;
  readonly altNames: AltNames;
  readonly extKeyUsage: readonly ExtKeyUsageName[];
}

/** A parsed CSR: the fields generate-csr compares when deciding to keep an existing one. */
export interface CertificateRequest {
  readonly pem: string;
  readonly subject: { readonly cn: string | undefined; readonly o: readonly string[] };
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly spki: Buffer;
}

/** Creates and signs a CSR with `key`; returns its PEM (`CERTIFICATE REQUEST`). */
export async function createCsr(template: CsrTemplate, key: PrivateKey): Promise<string> {
  const algorithm = algorithmOf(key.keyObject);
  const spki = createPublicKey(key.keyObject).export({ type: 'spki', format: 'der' });
  const extensions: x509.Extension[] = [];
  const names = [...template.altNames.dns.map((value) => ({ type: 'dns' as const, value })), ...template.altNames.ip.map((value) => ({ type: 'ip' as const, value }))];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  if (template.extKeyUsage.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(template.extKeyUsage.map((eku) => EKU_OIDS[eku]), false));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name(encodeName(template.subject)),
    extensions,
    signingAlgorithm: algorithm,
    keys: { publicKey: await importPublicKey(spki, algorithm), privateKey: await importSigningKey(key, algorithm) },
  });
  return encodePem('CERTIFICATE REQUEST', new Uint8Array(csr.rawData));
}

/**
 * Parses the first `CERTIFICATE REQUEST` block of a PEM text.
 * @throws InvalidInputError `BAD_CSR` naming `source` when there is none or it does not parse.
 */
export function parseCsr(text: string, source: string): CertificateRequest {
  const block = decodePem(text, source).find((b) => b.type === 'CERTIFICATE REQUEST' || b.type === 'NEW CERTIFICATE REQUEST');
  if (!block) throw new InvalidInputError('BAD_CSR', `no certificate request found in "${source}"`);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(block.der);
  } catch (error) {
    throw new InvalidInputError('BAD_CSR', `"${source}" does not hold a valid certificate request`, { cause: error });
  }
  const san = csr.extensions.find((ext): ext is x509.SubjectAlternativeNameExtension => ext instanceof x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  return {
    pem: encodePem('CERTIFICATE REQUEST', block.der),
    subject: decodeNameFields(csr.subjectName.toArrayBuffer()),
    dnsNames: items.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: items.filter((n) => n.type === 'ip').map((n) => canonicalIp(n.value) ?? n.value),
    spki: Buffer.from(csr.publicKey.rawData),
  };
}
