/**
 * Decodes a DER certificate into the {@link DecodedCertificate} view, once. Structure and
 * extension values come from @peculiar/asn1-x509; the signed and compared byte ranges come from
 * the raw TLV walk so they are exactly what the issuer signed (RFC 5280 §4.1.1.3).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { Extension } from '@peculiar/asn1-x509';
import { bytesEqual, contentOf, encodingOf, childrenOf, readTlv } from '../der-reader.js';
import type { Tlv } from '../der-reader.js';
import type { DecodeResult, DecodedCertificate, RawExtension } from './decoded-certificate.js';
import {
  checkAuthorityInfoAccess,
  decodeAuthorityKeyId,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeKeyUsage,
  decodeNameConstraints,
  decodeSubjectAltName,
  decodeSubjectKeyId,
} from './decode-extensions.js';
import { formatName } from './name-text.js';
import { Oid } from './oids.js';

interface RawParts {
  tbs: Uint8Array;
  tbsSignatureAlgorithm: Uint8Array;
  signatureAlgorithm: Uint8Array;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  spki: Uint8Array;
}

function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv?.tag !== tag) throw new Error(`malformed ${what}`);
  return tlv;
}

function rawParts(der: Uint8Array): RawParts {
  const outer = expectTag(readTlv(der, 0), 0x30, 'certificate');
  if (outer.end !== der.length) throw new Error('trailing data after certificate');
  const [tbsTlv, algTlv] = childrenOf(der, outer);
  const tbs = expectTag(tbsTlv, 0x30, 'tbsCertificate');
  const fields = childrenOf(der, tbs);
  // The version field is optional ([0] EXPLICIT, DEFAULT v1), so the offsets shift without it.
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const at = (i: number, what: string): Uint8Array =>
    encodingOf(der, expectTag(fields[base + i], 0x30, what));
  return {
    tbs: encodingOf(der, tbs),
    tbsSignatureAlgorithm: at(1, 'tbsCertificate signature'),
    signatureAlgorithm: encodingOf(der, expectTag(algTlv, 0x30, 'signatureAlgorithm')),
    issuerDer: at(2, 'issuer'),
    subjectDer: at(4, 'subject'),
    spki: at(5, 'subjectPublicKeyInfo'),
  };
}

function collectExtensions(list: readonly Extension[]): { raw: RawExtension[]; duplicates: string[] } {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  const raw = list.map((ext) => {
    if (seen.has(ext.extnID)) duplicates.add(ext.extnID);
    seen.add(ext.extnID);
    return { oid: ext.extnID, critical: ext.critical, value: new Uint8Array(ext.extnValue.buffer) };
  });
  return { raw, duplicates: [...duplicates] };
}

type ExtensionFields = Pick<
  DecodedCertificate,
  | 'basicConstraints' | 'keyUsage' | 'extKeyUsage' | 'subjectAltNames' | 'subjectAltNamesCritical'
  | 'nameConstraints' | 'subjectKeyId' | 'authorityKeyId'
>;

function decodeKnownExtensions(raw: readonly RawExtension[]): ExtensionFields {
  const find = (oid: string): RawExtension | undefined => raw.find((e) => e.oid === oid);
  const bc = find(Oid.basicConstraints);
  const ku = find(Oid.keyUsage);
  const eku = find(Oid.extKeyUsage);
  const san = find(Oid.subjectAltName);
  const nc = find(Oid.nameConstraints);
  const ski = find(Oid.subjectKeyIdentifier);
  const aki = find(Oid.authorityKeyIdentifier);
  const aia = find(Oid.authorityInfoAccess);
  if (aia !== undefined) checkAuthorityInfoAccess(aia.value);
  return {
    basicConstraints: bc && decodeBasicConstraints(bc.value, bc.critical),
    keyUsage: ku && decodeKeyUsage(ku.value),
    extKeyUsage: eku && decodeExtKeyUsage(eku.value),
    subjectAltNames: san && decodeSubjectAltName(san.value),
    subjectAltNamesCritical: san?.critical ?? false,
    nameConstraints: nc && decodeNameConstraints(nc.value),
    subjectKeyId: ski && decodeSubjectKeyId(ski.value),
    authorityKeyId: aki && decodeAuthorityKeyId(aki.value, aki.critical),
  };
}

function decodeOrThrow(input: Uint8Array): DecodedCertificate {
  const der = Uint8Array.from(input);
  const parts = rawParts(der);
  const parsed = AsnConvert.parse(der, Certificate);
  const tbs = parsed.tbsCertificate;
  const { raw, duplicates } = collectExtensions(tbs.extensions ?? []);
  const signatureTlv = readTlv(der, readTlv(der, 0).contentStart + parts.tbs.length + parts.signatureAlgorithm.length);
  if (signatureTlv.tag !== 0x03) throw new Error('malformed signatureValue');
  return {
    der,
    version: tbs.version + 1,
    ...parts,
    // Drop the BIT STRING's unused-bits octet: signatures are whole octets.
    signature: contentOf(der, signatureTlv).subarray(1),
    issuerEmpty: tbs.issuer.length === 0,
    subjectEmpty: tbs.subject.length === 0,
    subjectText: formatName(tbs.subject),
    issuerText: formatName(tbs.issuer),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    extensions: raw,
    duplicateExtensions: duplicates,
    ...decodeKnownExtensions(raw),
    selfIssued: bytesEqual(parts.issuerDer, parts.subjectDer),
  };
}

/**
 * Decodes one DER certificate. Never throws: malformed DER, a malformed recognised extension or
 * trailing bytes give `{ ok: false, reason }`. Key algorithms are not judged here; the signature
 * layer rejects keys it cannot use when the certificate acts as an issuer.
 */
export function decodeCertificate(der: Uint8Array): DecodeResult {
  try {
    return { ok: true, cert: decodeOrThrow(der) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `malformed certificate: ${detail}` };
  }
}
