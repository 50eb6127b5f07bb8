/**
 * Decodes a DER certificate into the {@link DecodedCertificate} view, once. The layout and the
 * extension list come from certificate-layout.ts, which the fast parse path shares, so the signed
 * and compared byte ranges are exactly what the issuer signed (RFC 5280 §4.1.1.3). The version,
 * names and validity come from tbs-fields.ts (the DER reader, for certificates in its strict
 * profile) or else from the @peculiar/asn1-x509 parse in asn1-tbs-fields.ts, the structural gate
 * the conformance suites hold the validator to; the extension values are decoded strictly in
 * decode-extensions.ts.
 */
import { readCertificateLayout, readExtensions, readSignedParts } from '../certificate-layout.js';
import type { CertificateLayout } from '../certificate-layout.js';
import { bytesEqual, contentOf, encodingOf } from '../der-reader.js';
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
import { parseTbsFieldsWithAsn1 } from './asn1-tbs-fields.js';
import { readTbsFields } from './tbs-fields.js';
import { Oid } from './oids.js';

type RawParts = Pick<
  DecodedCertificate,
  | 'tbs'
  | 'tbsSignatureAlgorithm'
  | 'signatureAlgorithm'
  | 'signature'
  | 'issuerDer'
  | 'subjectDer'
  | 'spki'
>;

function rawParts(der: Uint8Array, layout: CertificateLayout): RawParts {
  const { signatureAlgorithm, signatureValue } = readSignedParts(der, layout.certificate);
  return {
    tbs: encodingOf(der, layout.tbs),
    tbsSignatureAlgorithm: encodingOf(der, layout.tbsSignatureAlgorithm),
    signatureAlgorithm: encodingOf(der, signatureAlgorithm),
    // Drop the BIT STRING's unused-bits octet: signatures are whole octets.
    signature: contentOf(der, signatureValue).subarray(1),
    issuerDer: encodingOf(der, layout.issuer),
    subjectDer: encodingOf(der, layout.subject),
    spki: encodingOf(der, layout.spki),
  };
}

function collectExtensions(
  der: Uint8Array,
  layout: CertificateLayout,
): { raw: RawExtension[]; duplicates: string[] } {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  const raw = readExtensions(der, layout.extensions).map(({ oid, critical, value }) => {
    if (seen.has(oid)) duplicates.add(oid);
    seen.add(oid);
    return { oid, critical, value: contentOf(der, value) };
  });
  return { raw, duplicates: [...duplicates] };
}

type ExtensionFields = Pick<
  DecodedCertificate,
  | 'basicConstraints'
  | 'keyUsage'
  | 'extKeyUsage'
  | 'subjectAltNames'
  | 'subjectAltNamesCritical'
  | 'nameConstraints'
  | 'subjectKeyId'
  | 'authorityKeyId'
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
  const layout = readCertificateLayout(der);
  const parts = rawParts(der, layout);
  const fields = readTbsFields(der, layout) ?? parseTbsFieldsWithAsn1(der);
  const { raw, duplicates } = collectExtensions(der, layout);
  return {
    der,
    ...fields,
    ...parts,
    extensions: raw,
    duplicateExtensions: duplicates,
    ...decodeKnownExtensions(raw),
    selfIssued: bytesEqual(parts.issuerDer, parts.subjectDer),
  };
}

/** Results by DER content: a CA is decoded once however many leaves of a tree chain to it. */
const decoded = new Map<string, DecodeResult>();
const REMEMBERED = 512;

/**
 * Decodes one DER certificate. Never throws: malformed DER, a malformed recognised extension or
 * trailing bytes give `{ ok: false, reason }`. Key algorithms are not judged here; the signature
 * layer rejects keys it cannot use when the certificate acts as an issuer. The same bytes give the
 * same (shared, read-only) result: the {@link REMEMBERED} most recently used inputs are remembered by
 * content, never by buffer identity, so a caller reusing a buffer is never given a stale result.
 */
export function decodeCertificate(der: Uint8Array): DecodeResult {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  const known = decoded.get(key);
  if (known !== undefined) {
    decoded.delete(key);
    decoded.set(key, known);
    return known;
  }
  const result = decodeFresh(der);
  if (decoded.size >= REMEMBERED) decoded.delete(decoded.keys().next().value as string);
  decoded.set(key, result);
  return result;
}

function decodeFresh(der: Uint8Array): DecodeResult {
  try {
    return { ok: true, cert: decodeOrThrow(der) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `malformed certificate: ${detail}` };
  }
}
