/**
 * Building and signing certificates with the X.509 profile Go's crypto/x509 produces (the profile
 * of kubeadm, K3s and RKE): extensions in Go's order — key usage (critical), extended key usage,
 * basic constraints (critical), subject key id (CAs), authority key id (when the issuer has a
 * subject key id and is not the certificate itself), subject alternative names.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { webcrypto, x509 } from './crypto-provider.js';
import type { webcrypto as WebCrypto } from 'node:crypto';
import { EKU_OIDS, parseCertificateDer, type Certificate, type ExtKeyUsageName, type KeyUsageName } from './certificate.js';
import { encodeName, type SubjectFields } from './name.js';
import { pkcs8Of, type PrivateKey } from './keys.js';
import { algorithmOf, type SigningAlgorithm } from './signing-algorithm.js';
import type { AltNames } from './san.js';

/** Everything that goes into a certificate except keys and issuer. */
export interface CertificateTemplate {
  readonly subject: SubjectFields;
  readonly altNames?: AltNames;
  readonly isCA: boolean;
  readonly keyUsage: readonly KeyUsageName[];
  readonly extKeyUsage: readonly ExtKeyUsageName[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lower-case hex, positive. */
  readonly serialHex: string;
  /** Go adds a SHA-1 subject key id to CA certificates only; set true to force one on a leaf. */
  readonly subjectKeyId?: boolean;
  /**
   * Write the BasicConstraints extension (default true, Go's BasicConstraintsValid). RKE's leaf
   * template leaves it out; a CA always gets it.
   */
  readonly basicConstraints?: boolean;
}

/** The CA that signs: its certificate and private key. */
export interface SigningAuthority {
  readonly certificate: Certificate;
  readonly key: PrivateKey;
}

const KU_FLAGS: Readonly<Record<KeyUsageName, number>> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
};

/**
 * Signs a certificate for `subjectKey` (a public or private KeyObject) with `issuer`, or
 * self-signed with `selfKey` when `issuer` is undefined. Dates are truncated to whole seconds.
 * Pure apart from the key it is given: no clock, no randomness (the serial is in the template).
 */
export async function issueCertificate(
  template: CertificateTemplate,
  subjectKey: KeyObject,
  issuer: SigningAuthority | { readonly selfSigned: PrivateKey },
): Promise<Certificate> {
  const signer = 'selfSigned' in issuer ? issuer.selfSigned : issuer.key;
  const subjectName = encodeName(template.subject);
  const issuerName = 'selfSigned' in issuer ? subjectName : issuer.certificate.subjectDer;
  const spki = createPublicKey(subjectKey).export({ type: 'spki', format: 'der' });
  const extensions: x509.Extension[] = [];
  const kuBits = template.keyUsage.reduce((bits, usage) => bits | KU_FLAGS[usage], 0);
  if (kuBits !== 0) extensions.push(new x509.KeyUsagesExtension(kuBits, true));
  if (template.extKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(template.extKeyUsage.map((eku) => EKU_OIDS[eku]), false));
  }
  if (template.isCA || template.basicConstraints !== false) extensions.push(new x509.BasicConstraintsExtension(template.isCA, undefined, true));
  if (template.isCA || template.subjectKeyId === true) {
    extensions.push(new x509.SubjectKeyIdentifierExtension(subjectKeyIdOf(spki)));
  }
  const issuerKeyId = 'selfSigned' in issuer ? undefined : issuer.certificate.subjectKeyId;
  if (issuerKeyId !== undefined) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerKeyId));
  const san = altNameEntries(template.altNames);
  if (san.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(san, false));

  const algorithm = algorithmOf(signer.keyObject);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: template.serialHex,
    subject: new x509.Name(subjectName),
    issuer: new x509.Name(issuerName),
    notBefore: wholeSeconds(template.notBefore),
    notAfter: wholeSeconds(template.notAfter),
    publicKey: await importPublicKey(spki, algorithmOf(subjectKey)),
    signingKey: await importSigningKey(signer, algorithm),
    signingAlgorithm: algorithm,
    extensions,
  }, /^0+$/.test(template.serialHex) ? zeroSerialCrypto : undefined);
  return parseCertificateDer(new Uint8Array(cert.rawData), 'issued certificate');
}

/**
 * @peculiar/x509 replaces an all-zero serial with 16 random bytes, but K3s CAs have serial 0 (a
 * quirk kpki reproduces). For that one case the generator gets a crypto whose random source
 * yields zeros, which it encodes as INTEGER 0; signing still goes through the real WebCrypto.
 */
const zeroSerialCrypto = {
  subtle: webcrypto.subtle,
  getRandomValues: <T extends ArrayBufferView | null>(array: T): T => {
    if (array) new Uint8Array(array.buffer, array.byteOffset, array.byteLength).fill(0);
    return array;
  },
  randomUUID: () => webcrypto.randomUUID(),
};

/** SHA-1 over the subjectPublicKey bits: RFC 5280 §4.2.1.2 method 1, what Go uses. */
export function subjectKeyIdOf(spkiDer: Uint8Array): string {
  const info = AsnConvert.parse(spkiDer, SubjectPublicKeyInfo);
  return createHash('sha1').update(Buffer.from(info.subjectPublicKey)).digest('hex');
}

function altNameEntries(names: AltNames | undefined): x509.JsonGeneralName[] {
  if (!names) return [];
  return [...names.dns.map((value) => ({ type: 'dns' as const, value })), ...names.ip.map((value) => ({ type: 'ip' as const, value }))];
}

type CryptoKey = WebCrypto.CryptoKey;

async function importPublicKey(spki: Buffer, algorithm: SigningAlgorithm): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify']);
}

const signingKeys = new WeakMap<KeyObject, Promise<CryptoKey>>();

/** Node 20 has no KeyObject.toCryptoKey: import through PKCS#8 DER, once per key. */
function importSigningKey(key: PrivateKey, algorithm: SigningAlgorithm): Promise<CryptoKey> {
  let imported = signingKeys.get(key.keyObject);
  if (!imported) {
    imported = webcrypto.subtle.importKey('pkcs8', pkcs8Of(key), algorithm, false, ['sign']);
    signingKeys.set(key.keyObject, imported);
  }
  return imported;
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
