/**
 * Parsed certificates: the fields kpki's catalogues, checks and renewals read. Parsing is
 * tolerant of what old kubeadm, K3s and RKE wrote (serial 0, no SKID/AKID, chains after the leaf).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import {
  decodeCertificate,
  KEY_USAGE_BITS,
  type DecodedCertificate,
} from './certificate-decoder.js';
import { decodeNameFields } from './name.js';
import { decodePem, encodePem } from './pem.js';
import { verifyCertificateSignature } from './signature.js';
import { spkiOf } from './keys.js';

/** Key usages kpki sets, named as in RFC 5280 §4.2.1.3. */
export type KeyUsageName = 'digitalSignature' | 'keyEncipherment' | 'keyCertSign' | 'cRLSign';
/** Extended key usages kpki sets; others are kept as dotted OIDs when read. */
export type ExtKeyUsageName = 'serverAuth' | 'clientAuth';

/** What kpki knows about one certificate. Dates are whole seconds, UTC. */
export interface Certificate {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly serialHex: string;
  readonly subject: { readonly cn: string | undefined; readonly o: readonly string[] };
  readonly issuer: { readonly cn: string | undefined; readonly o: readonly string[] };
  /** Raw DER of the subject and issuer names, for byte-exact name chaining. */
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCA: boolean;
  readonly keyUsage: readonly KeyUsageName[];
  readonly extKeyUsage: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
  readonly spki: Buffer;
}

const EKU_NAMES: Readonly<Record<string, ExtKeyUsageName>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
};
export const EKU_OIDS: Readonly<Record<ExtKeyUsageName, string>> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};
const KU_FLAGS: ReadonlyArray<[KeyUsageName, number]> = Object.entries(KEY_USAGE_BITS) as [
  KeyUsageName,
  number,
][];

/**
 * Parses one DER certificate (the minimal DER reader: no ASN.1 object tree, a few microseconds).
 * @throws InvalidInputError `BAD_CERT` naming `source` when the DER is not a certificate.
 */
export function parseCertificateDer(der: Uint8Array, source: string): Certificate {
  let decoded: DecodedCertificate;
  let subject: Certificate['subject'];
  let issuer: Certificate['issuer'];
  try {
    decoded = decodeCertificate(der);
    subject = decodeNameFields(decoded.subjectDer);
    issuer = decodeNameFields(decoded.issuerDer);
  } catch (error) {
    throw new InvalidInputError('BAD_CERT', `"${source}" does not hold a valid X.509 certificate`, {
      cause: error,
    });
  }
  const flags = decoded.keyUsageFlags ?? 0;
  return {
    der,
    pem: encodePem('CERTIFICATE', der),
    serialHex: decoded.serialHex,
    subject,
    issuer,
    subjectDer: decoded.subjectDer,
    issuerDer: decoded.issuerDer,
    notBefore: decoded.notBefore,
    notAfter: decoded.notAfter,
    isCA: decoded.isCA,
    keyUsage: KU_FLAGS.filter(([, flag]) => (flags & flag) !== 0).map(([name]) => name),
    extKeyUsage: decoded.extKeyUsageOids.map((oid) => EKU_NAMES[oid] ?? oid),
    dnsNames: decoded.dnsNames,
    ipAddresses: decoded.ipAddresses,
    subjectKeyId: decoded.subjectKeyId,
    authorityKeyId: decoded.authorityKeyId,
    spki: Buffer.from(decoded.spki),
  };
}

/**
 * Parses every CERTIFICATE block of a PEM text in order (the first is the leaf when a file holds
 * a chain). Other block types are ignored.
 * @throws InvalidInputError `BAD_PEM` / `BAD_CERT`, or `NO_CERT` when there is no certificate.
 */
export function parseCertificates(text: string, source: string): Certificate[] {
  const certs = decodePem(text, source)
    .filter((block) => block.type === 'CERTIFICATE')
    .map((block, index) =>
      parseCertificateDer(block.der, index === 0 ? source : `${source} (block ${index + 1})`),
    );
  if (certs.length === 0)
    throw new InvalidInputError('NO_CERT', `no certificate found in "${source}"`);
  return certs;
}

/** The first certificate of a PEM text; see {@link parseCertificates}. */
export function parseCertificate(text: string, source: string): Certificate {
  return parseCertificates(text, source)[0] as Certificate;
}

/** True when `key` is the private key of `cert` (SubjectPublicKeyInfo comparison). */
export function keyMatchesCertificate(cert: Certificate, key: KeyObject): boolean {
  return spkiOf(key).equals(cert.spki);
}

const publicKeys = new WeakMap<Certificate, KeyObject>();

/** The certificate's public key as a KeyObject (made once per certificate object: a CA verifies many). */
export function publicKeyOf(cert: Certificate): KeyObject {
  let key = publicKeys.get(cert);
  if (!key) {
    key = createPublicKey({ key: cert.spki, format: 'der', type: 'spki' });
    publicKeys.set(cert, key);
  }
  return key;
}

/**
 * True when `issuer` signed `cert`: the issuer name matches byte for byte and the signature
 * verifies with the issuer's key. Does not look at validity or constraints (see pki/verify).
 */
export function isSignedBy(cert: Certificate, issuer: Certificate): boolean {
  if (!Buffer.from(cert.issuerDer).equals(Buffer.from(issuer.subjectDer))) return false;
  try {
    return verifyCertificateSignature(cert.der, publicKeyOf(issuer));
  } catch {
    return false;
  }
}
