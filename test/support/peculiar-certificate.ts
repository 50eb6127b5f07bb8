/**
 * The certificate parser kpki used before the DER reader: @peculiar/x509. Kept for tests only, as
 * the reference the fast parser must agree with field by field.
 */
import { InvalidInputError } from '../../src/errors.js';
import { x509 } from '../../src/pki/crypto-provider.js';
import { EKU_OIDS, type Certificate, type KeyUsageName } from '../../src/pki/certificate.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Name } from '@peculiar/asn1-x509';
import { encodePem } from '../../src/pki/pem.js';
import { canonicalIp } from '../../src/pki/san.js';

const EKU_NAMES_FOR_TESTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EKU_OIDS).map(([name, oid]) => [oid, name]),
);
const KU_FLAGS: ReadonlyArray<[KeyUsageName, number]> = [
  ['digitalSignature', x509.KeyUsageFlags.digitalSignature],
  ['keyEncipherment', x509.KeyUsageFlags.keyEncipherment],
  ['keyCertSign', x509.KeyUsageFlags.keyCertSign],
  ['cRLSign', x509.KeyUsageFlags.cRLSign],
];

/** The name decoder kpki used before the DER reader: CN (first) and every O value. */
export function decodeNameFieldsPeculiar(der: ArrayBuffer | Uint8Array): {
  cn: string | undefined;
  o: string[];
} {
  let cn: string | undefined;
  const o: string[] = [];
  for (const set of AsnConvert.parse(der, Name)) {
    for (const entry of set) {
      const text = entry.value.toString();
      if (entry.type === '2.5.4.3' && cn === undefined) cn = text;
      if (entry.type === '2.5.4.10') o.push(text);
    }
  }
  return { cn, o };
}

/**
 * Parses one DER certificate with @peculiar/x509.
 * @throws InvalidInputError `BAD_CERT` naming `source` when the DER is not a certificate.
 */
export function parseCertificateDerPeculiar(der: Uint8Array, source: string): Certificate {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(der);
  } catch (error) {
    throw new InvalidInputError('BAD_CERT', `"${source}" does not hold a valid X.509 certificate`, {
      cause: error,
    });
  }
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension);
  const names = san?.names.items ?? [];
  return {
    der,
    pem: encodePem('CERTIFICATE', der),
    serialHex: cert.serialNumber.toLowerCase(),
    subject: decodeNameFieldsPeculiar(cert.subjectName.toArrayBuffer()),
    issuer: decodeNameFieldsPeculiar(cert.issuerName.toArrayBuffer()),
    subjectDer: new Uint8Array(cert.subjectName.toArrayBuffer()),
    issuerDer: new Uint8Array(cert.issuerName.toArrayBuffer()),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isCA: bc?.ca ?? false,
    keyUsage: ku
      ? KU_FLAGS.filter(([, flag]) => (ku.usages & flag) !== 0).map(([name]) => name)
      : [],
    extKeyUsage: Array.from(
      eku?.usages ?? [],
      (oid) => EKU_NAMES_FOR_TESTS[String(oid)] ?? String(oid),
    ),
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => canonicalIp(n.value) ?? n.value),
    subjectKeyId: ski?.keyId.toLowerCase(),
    authorityKeyId: aki?.keyId?.toLowerCase(),
    spki: Buffer.from(cert.publicKey.rawData),
  };
}
