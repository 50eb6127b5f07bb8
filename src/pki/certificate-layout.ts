/**
 * Where the fields of a DER certificate lie (RFC 5280 §4.1), found by one walk with the DER reader.
 * Both certificate decoders start here: certificate-decoder.ts (the fast parse path of `check`)
 * and verify/decode-certificate.ts (the path validator). They need different outputs — the fast
 * path wants display text and a few flags in microseconds, the validator wants criticality,
 * every GeneralName and a decode error instead of an exception — so this module only locates and
 * splits; each decoder interprets the fields it uses, as strictly as its user must.
 */
import {
  childrenOf,
  contentOf,
  decodeOid,
  DerError,
  expectTlv,
  Tag,
  type Tlv,
} from './der-reader.js';

/** The elements of a Certificate and of its tbsCertificate, as positions in the input. */
export interface CertificateLayout {
  /** The outer Certificate SEQUENCE; it spans the whole input. */
  readonly certificate: Tlv;
  readonly tbs: Tlv;
  /** The `[0] EXPLICIT` version wrapper; undefined for a v1 certificate (DEFAULT v1). */
  readonly version: Tlv | undefined;
  readonly serial: Tlv;
  /** The tbsCertificate `signature` AlgorithmIdentifier. */
  readonly tbsSignatureAlgorithm: Tlv;
  readonly issuer: Tlv;
  readonly validity: Tlv;
  readonly subject: Tlv;
  readonly spki: Tlv;
  /** The `[3] EXPLICIT` extensions wrapper; undefined when the certificate has none. */
  readonly extensions: Tlv | undefined;
}

/** The three parts of a Certificate (RFC 5280 §4.1.1): what is signed, how, and the signature. */
export interface SignedParts {
  readonly tbs: Tlv;
  readonly signatureAlgorithm: Tlv;
  /** The signatureValue BIT STRING, its unused-bits octet included. */
  readonly signatureValue: Tlv;
}

/** One Extension (RFC 5280 §4.1.2.9) as it lies in the input. */
export interface ExtensionLayout {
  readonly oid: string;
  /** The critical flag; false when absent (DEFAULT FALSE). */
  readonly critical: boolean;
  /** The extnValue OCTET STRING; its content is the DER of the extension's value. */
  readonly value: Tlv;
}

const VERSION_TAG = 0xa0;
const EXTENSIONS_TAG = 0xa3;

/** The fixed tbsCertificate fields after the optional version, with the tag each must have. */
const TBS_FIELDS = [
  ['serialNumber', Tag.integer],
  ['tbsCertificate signature', Tag.sequence],
  ['issuer', Tag.sequence],
  ['validity', Tag.sequence],
  ['subject', Tag.sequence],
  ['subjectPublicKeyInfo', Tag.sequence],
] as const;

/**
 * Locates the tbsCertificate fields of a DER certificate. Checks the outer structure, that the
 * certificate spans all of `der`, and the tag of each fixed tbsCertificate field; reads neither
 * the field contents nor the signatureAlgorithm and signatureValue after the tbsCertificate
 * ({@link readSignedParts} gives them to a caller that needs them).
 * @throws DerError when the bytes are not laid out as a certificate.
 */
export function readCertificateLayout(der: Uint8Array): CertificateLayout {
  const certificate = expectTlv(der, 0, der.length, Tag.sequence);
  if (certificate.end !== der.length) throw new DerError('trailing bytes after the certificate');
  const tbs = expectTlv(der, certificate.contentStart, certificate.end, Tag.sequence);
  const fields = childrenOf(der, tbs);
  const version = fields[0]?.tag === VERSION_TAG ? fields[0] : undefined;
  const base = version === undefined ? 0 : 1;
  const [serial, tbsSignatureAlgorithm, issuer, validity, subject, spki] = TBS_FIELDS.map(
    ([what, tag], i) => {
      const field = fields[base + i];
      if (field?.tag !== tag) throw new DerError(`malformed ${what}`);
      return field;
    },
  ) as [Tlv, Tlv, Tlv, Tlv, Tlv, Tlv];
  // issuerUniqueID [1] and subjectUniqueID [2] may come between the key and the extensions.
  const extensions = fields
    .slice(base + TBS_FIELDS.length)
    .find((field) => field.tag === EXTENSIONS_TAG);
  return {
    certificate,
    tbs,
    version,
    serial,
    tbsSignatureAlgorithm,
    issuer,
    validity,
    subject,
    spki,
    extensions,
  };
}

/**
 * Splits a Certificate SEQUENCE into its tbsCertificate, signatureAlgorithm and signatureValue.
 * Checks their tags only; anything after the signatureValue is not looked at.
 * @throws DerError when a part is missing, malformed or of the wrong type.
 */
export function readSignedParts(der: Uint8Array, certificate: Tlv): SignedParts {
  const [tbs, signatureAlgorithm, signatureValue] = childrenOf(der, certificate);
  if (tbs?.tag !== Tag.sequence) throw new DerError('malformed tbsCertificate');
  if (signatureAlgorithm?.tag !== Tag.sequence) throw new DerError('malformed signatureAlgorithm');
  if (signatureValue?.tag !== Tag.bitString) throw new DerError('malformed signatureValue');
  return { tbs, signatureAlgorithm, signatureValue };
}

/**
 * Splits the extensions of a certificate, in their encoded order. Returns an empty list when
 * `wrapper` is undefined. Does not look inside the values, nor for duplicates.
 * @throws DerError when the list or an Extension is not `SEQUENCE { OID, [BOOLEAN,] OCTET STRING }`.
 */
export function readExtensions(der: Uint8Array, wrapper: Tlv | undefined): ExtensionLayout[] {
  if (wrapper === undefined) return [];
  const list = expectTlv(der, wrapper.contentStart, wrapper.end, Tag.sequence);
  return childrenOf(der, list).map((extension) => {
    const parts = extension.tag === Tag.sequence ? childrenOf(der, extension) : [];
    const [id, flag] = parts;
    const value = parts[parts.length - 1];
    const flagged = parts.length === 3 && flag?.tag === Tag.boolean && flag.end > flag.contentStart;
    if (id?.tag !== Tag.oid || value?.tag !== Tag.octetString || (parts.length !== 2 && !flagged)) {
      throw new DerError('malformed extension');
    }
    return {
      oid: decodeOid(contentOf(der, id)),
      critical: flagged && der[flag.contentStart] !== 0,
      value,
    };
  });
}
