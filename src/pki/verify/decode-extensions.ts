/**
 * Decoders for the extensions the validator interprets. Each throws on malformed content; the
 * certificate decoder turns that into a decode error, since RFC 5280 §4.2 extensions that do not
 * parse cannot be honoured and guessing would widen what the certificate allows.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { DerError, childrenOf, readTlv } from '../der-reader.js';
import type { Tlv } from '../der-reader.js';
import { decodeGeneralName, decodeGeneralNames } from './general-names.js';
import type { GeneralName } from './general-names.js';
import type {
  AuthorityKeyIdInfo,
  BasicConstraintsInfo,
  KeyUsageInfo,
  NameConstraintsInfo,
} from './decoded-certificate.js';

/** Decodes basicConstraints. */
export function decodeBasicConstraints(value: Uint8Array, critical: boolean): BasicConstraintsInfo {
  const bc = AsnConvert.parse(value, BasicConstraints);
  return { ca: bc.cA, pathLen: bc.pathLenConstraint, critical };
}

/** Decodes keyUsage; an all-zero bit string is malformed (RFC 5280 §4.2.1.3: at least one bit). */
export function decodeKeyUsage(value: Uint8Array): KeyUsageInfo {
  const flags = AsnConvert.parse(value, KeyUsage).toNumber();
  if (flags === 0) throw new DerError('keyUsage asserts no bit');
  return {
    keyCertSign: (flags & KeyUsageFlags.keyCertSign) !== 0,
    digitalSignature: (flags & KeyUsageFlags.digitalSignature) !== 0,
  };
}

/** Decodes extKeyUsage; empty is malformed (RFC 5280 §4.2.1.12: SIZE (1..MAX)). */
export function decodeExtKeyUsage(value: Uint8Array): string[] {
  const eku = [...AsnConvert.parse(value, ExtendedKeyUsage)];
  if (eku.length === 0) throw new DerError('extKeyUsage lists no purpose');
  return eku;
}

/** Decodes subjectKeyIdentifier. */
export function decodeSubjectKeyId(value: Uint8Array): Uint8Array {
  return new Uint8Array(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
}

/** Decodes authorityKeyIdentifier. */
export function decodeAuthorityKeyId(value: Uint8Array, critical: boolean): AuthorityKeyIdInfo {
  const aki = AsnConvert.parse(value, AuthorityKeyIdentifier);
  return {
    keyId: aki.keyIdentifier === undefined ? undefined : new Uint8Array(aki.keyIdentifier.buffer),
    hasIssuerAndSerial:
      aki.authorityCertIssuer !== undefined || aki.authorityCertSerialNumber !== undefined,
    critical,
  };
}

/** Checks authorityInfoAccess parses and is non-empty (RFC 5280 §4.2.2.1: SIZE (1..MAX)). */
export function checkAuthorityInfoAccess(value: Uint8Array): void {
  if (AsnConvert.parse(value, AuthorityInfoAccessSyntax).length === 0) {
    throw new DerError('authorityInfoAccess is empty');
  }
}

/** Decodes subjectAltName into GeneralNames. */
export function decodeSubjectAltName(value: Uint8Array): GeneralName[] {
  return decodeGeneralNames(value);
}

function decodeSubtrees(der: Uint8Array, children: readonly Tlv[]): GeneralName[] {
  // GeneralSubtrees is SIZE (1..MAX); minimum MUST be 0 and maximum absent (RFC 5280 §4.2.1.10).
  if (children.length === 0) throw new DerError('empty GeneralSubtrees');
  return children.map((subtree) => {
    if (subtree.tag !== 0x30) throw new DerError('GeneralSubtree is not a SEQUENCE');
    const [base, ...rest] = childrenOf(der, subtree);
    if (base === undefined) throw new DerError('GeneralSubtree without base');
    const bounded = rest.some(
      (r) => r.tag === 0x81 || (r.tag === 0x80 && r.end - r.contentStart !== 1),
    );
    if (bounded || rest.some((r) => r.tag === 0x80 && der[r.contentStart] !== 0)) {
      throw new DerError('GeneralSubtree with minimum/maximum');
    }
    return decodeGeneralName(der, base);
  });
}

/** Decodes nameConstraints; neither subtree present is malformed (RFC 5280 §4.2.1.10). */
export function decodeNameConstraints(value: Uint8Array): NameConstraintsInfo {
  const seq = readTlv(value, 0);
  if (seq.tag !== 0x30 || seq.end !== value.length)
    throw new DerError('nameConstraints is not a SEQUENCE');
  let permitted: GeneralName[] = [];
  let excluded: GeneralName[] = [];
  for (const part of childrenOf(value, seq)) {
    if (part.tag === 0xa0) permitted = decodeSubtrees(value, childrenOf(value, part));
    else if (part.tag === 0xa1) excluded = decodeSubtrees(value, childrenOf(value, part));
    else throw new DerError('unexpected field in nameConstraints');
  }
  if (permitted.length === 0 && excluded.length === 0)
    throw new DerError('nameConstraints is empty');
  return { permitted, excluded };
}
