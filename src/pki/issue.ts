/**
 * Building and signing certificates with the X.509 profile Go's crypto/x509 produces (the profile
 * of kubeadm, K3s and RKE): extensions in Go's order — key usage (critical), extended key usage,
 * basic constraints (critical), subject key id (CAs), authority key id (when the issuer has a
 * subject key id and is not the certificate itself), subject alternative names.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { webcrypto as WebCrypto } from 'node:crypto';
import { EKU_OIDS, parseCertificateDer, type Certificate } from './certificate.js';
import { KEY_USAGE_BITS } from './certificate-decoder.js';
import { encodeName } from './name.js';
import { pkcs8Of, type PrivateKey } from './keys.js';
import { algorithmOf, type SigningAlgorithm } from './signing-algorithm.js';
import type { Extension } from '@peculiar/x509';
import type { CertificateTemplate, Issuer, SigningAuthority } from './certificate-template.js';
import { subjectKeyIdOf } from './key-id.js';
import { canIssueFast, issueCertificateFast } from './fast-issue.js';

export type { CertificateTemplate, Issuer, SigningAuthority };

/**
 * Signs a certificate for `subjectKey` (a public or private KeyObject) with `issuer`, or
 * self-signed with `issuer.selfSigned`. Dates are truncated to whole seconds. Pure apart from the
 * key it is given: no clock, no randomness (the serial is in the template).
 *
 * Uses the DER-template fast path (pki/fast-issue.ts) for RSA and ECDSA P-256/P-384 signers,
 * and the general @peculiar/x509 path otherwise; both produce the same profile (tests compare them).
 * @throws Error for a signing key type kpki does not support.
 */
export async function issueCertificate(
  template: CertificateTemplate,
  subjectKey: KeyObject,
  issuer: Issuer,
): Promise<Certificate> {
  const signer = 'selfSigned' in issuer ? issuer.selfSigned : issuer.key;
  if (canIssueFast(signer.keyObject)) return issueCertificateFast(template, subjectKey, issuer);
  return issueCertificateGeneral(template, subjectKey, issuer);
}

/**
 * The general path of {@link issueCertificate}: builds the certificate with @peculiar/x509 and
 * signs through WebCrypto. Loaded lazily, so commands that only read certificates never pay for
 * the library's start-up. Exported for the tests that hold the fast path to the same output.
 */
export async function issueCertificateGeneral(
  template: CertificateTemplate,
  subjectKey: KeyObject,
  issuer: Issuer,
): Promise<Certificate> {
  const { webcrypto, x509 } = await import('./crypto-provider.js');
  const signer = 'selfSigned' in issuer ? issuer.selfSigned : issuer.key;
  const subjectName = encodeName(template.subject);
  const issuerName = 'selfSigned' in issuer ? subjectName : issuer.certificate.subjectDer;
  const spki = createPublicKey(subjectKey).export({ type: 'spki', format: 'der' });
  const extensions: Extension[] = [];
  const kuBits = template.keyUsage.reduce((bits, usage) => bits | KEY_USAGE_BITS[usage], 0);
  if (kuBits !== 0) extensions.push(new x509.KeyUsagesExtension(kuBits, true));
  if (template.extKeyUsage.length > 0) {
    extensions.push(
      new x509.ExtendedKeyUsageExtension(
        template.extKeyUsage.map((eku) => EKU_OIDS[eku]),
        false,
      ),
    );
  }
  if (template.isCA || template.basicConstraints !== false)
    extensions.push(new x509.BasicConstraintsExtension(template.isCA, undefined, true));
  if (template.isCA || template.subjectKeyId === true) {
    extensions.push(new x509.SubjectKeyIdentifierExtension(subjectKeyIdOf(spki)));
  }
  const issuerKeyId = 'selfSigned' in issuer ? undefined : issuer.certificate.subjectKeyId;
  if (issuerKeyId !== undefined)
    extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerKeyId));
  const san = altNameEntries(template.altNames);
  if (san.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(san, false));

  const algorithm = algorithmOf(signer.keyObject);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: template.serialHex,
      subject: new x509.Name(subjectName),
      issuer: new x509.Name(issuerName),
      notBefore: wholeSeconds(template.notBefore),
      notAfter: wholeSeconds(template.notAfter),
      publicKey: await webcrypto.subtle.importKey('spki', spki, algorithmOf(subjectKey), true, [
        'verify',
      ]),
      signingKey: await importSigningKey(webcrypto, signer, algorithm),
      signingAlgorithm: algorithm,
      extensions,
    },
    /^0+$/.test(template.serialHex) ? zeroSerialCrypto(webcrypto) : undefined,
  );
  return parseCertificateDer(new Uint8Array(cert.rawData), 'issued certificate');
}

export { subjectKeyIdOf };

/**
 * @peculiar/x509 replaces an all-zero serial with 16 random bytes, but K3s CAs have serial 0 (a
 * quirk kpki reproduces). For that one case the generator gets a crypto whose random source
 * yields zeros, which it encodes as INTEGER 0; signing still goes through the real WebCrypto.
 */
function zeroSerialCrypto(
  webcrypto: WebCrypto.Crypto,
): Pick<WebCrypto.Crypto, 'subtle' | 'getRandomValues' | 'randomUUID'> {
  return {
    subtle: webcrypto.subtle,
    getRandomValues: <T extends ArrayBufferView | null>(array: T): T => {
      if (array) new Uint8Array(array.buffer, array.byteOffset, array.byteLength).fill(0);
      return array;
    },
    randomUUID: () => webcrypto.randomUUID(),
  };
}

function altNameEntries(
  names: CertificateTemplate['altNames'],
): { type: 'dns' | 'ip'; value: string }[] {
  if (!names) return [];
  return [
    ...names.dns.map((value) => ({ type: 'dns' as const, value })),
    ...names.ip.map((value) => ({ type: 'ip' as const, value })),
  ];
}

type CryptoKey = WebCrypto.CryptoKey;

const signingKeys = new WeakMap<KeyObject, Promise<CryptoKey>>();

/** Node 20 has no KeyObject.toCryptoKey: import through PKCS#8 DER, once per key. */
function importSigningKey(
  webcrypto: WebCrypto.Crypto,
  key: PrivateKey,
  algorithm: SigningAlgorithm,
): Promise<CryptoKey> {
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
