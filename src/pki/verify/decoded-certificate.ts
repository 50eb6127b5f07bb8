/** The validation view of one certificate: every field the path validator reads, decoded once. */
import type { GeneralName } from './general-names.js';

/** One extension as it appears in the certificate. */
export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** The basicConstraints extension (RFC 5280 §4.2.1.9). */
export interface BasicConstraintsInfo {
  readonly ca: boolean;
  readonly pathLen: number | undefined;
  readonly critical: boolean;
}

/** The keyUsage bits the validator reads (RFC 5280 §4.2.1.3). */
export interface KeyUsageInfo {
  readonly keyCertSign: boolean;
  readonly digitalSignature: boolean;
}

/** Name constraints grouped as permitted and excluded subtree bases (RFC 5280 §4.2.1.10). */
export interface NameConstraintsInfo {
  readonly permitted: readonly GeneralName[];
  readonly excluded: readonly GeneralName[];
}

/** The authorityKeyIdentifier extension (RFC 5280 §4.2.1.1). */
export interface AuthorityKeyIdInfo {
  readonly keyId: Uint8Array | undefined;
  readonly hasIssuerAndSerial: boolean;
  readonly critical: boolean;
}

/** A decoded certificate. All byte arrays are views of `der` or copies; nothing is mutated. */
export interface DecodedCertificate {
  readonly der: Uint8Array;
  /** 1, 2 or 3 (the encoded value plus one). */
  readonly version: number;
  /** Exact signed bytes of tbsCertificate. */
  readonly tbs: Uint8Array;
  /** Raw DER of the outer signatureAlgorithm and of the tbsCertificate signature field. */
  readonly signatureAlgorithm: Uint8Array;
  readonly tbsSignatureAlgorithm: Uint8Array;
  readonly signature: Uint8Array;
  /** Raw DER of the issuer and subject Names, compared byte-wise for chaining. */
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly issuerEmpty: boolean;
  readonly subjectEmpty: boolean;
  /** Display form such as `CN=foo, O=bar`; for messages only. */
  readonly subjectText: string;
  /** Display form of the issuer name; for messages only. */
  readonly issuerText: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Raw DER of subjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly extensions: readonly RawExtension[];
  /** OIDs that occur more than once (RFC 5280 §4.2 forbids it). */
  readonly duplicateExtensions: readonly string[];
  readonly basicConstraints: BasicConstraintsInfo | undefined;
  readonly keyUsage: KeyUsageInfo | undefined;
  readonly extKeyUsage: readonly string[] | undefined;
  readonly subjectAltNames: readonly GeneralName[] | undefined;
  readonly subjectAltNamesCritical: boolean;
  readonly nameConstraints: NameConstraintsInfo | undefined;
  readonly subjectKeyId: Uint8Array | undefined;
  readonly authorityKeyId: AuthorityKeyIdInfo | undefined;
  /** Issuer and subject encode identically (RFC 5280 §6.1 "self-issued"). */
  readonly selfIssued: boolean;
}

/** What decoding a certificate returns: the certificate, or why it could not be decoded. */
export type DecodeResult =
  | { readonly ok: true; readonly cert: DecodedCertificate }
  | { readonly ok: false; readonly reason: string };
