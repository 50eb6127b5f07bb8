/**
 * Decoding the fields kpki reads from a DER certificate, on the layout certificate-layout.ts
 * finds. This is the hot path of `check` (thousands of certificates in a large RKE state), so it
 * decodes only the fields and extensions kpki uses, into display-ready values; everything else is
 * skipped unread. The path validator decodes the same layout into its own, fuller view in
 * verify/decode-certificate.ts (certificate-layout.ts says why the two views stay apart).
 */
import {
  readCertificateLayout,
  readExtensions,
  type ExtensionLayout,
} from './certificate-layout.js';
import {
  childrenOf,
  contentOf,
  decodeOid,
  decodeTime,
  DerError,
  encodingOf,
  readTlv,
  Tag,
  type Tlv,
} from './der-reader.js';
import { decodeNameFields } from './name.js';
import { canonicalIp } from './san.js';

/** Key usage bits kpki names, as `1 << bit` of the KeyUsage BIT STRING (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = {
  digitalSignature: 1 << 0,
  keyEncipherment: 1 << 2,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
} as const;

/** The raw fields of a certificate, before certificate.ts names usages. */
export interface DecodedCertificate {
  readonly serialHex: string;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Uint8Array;
  readonly isCA: boolean;
  /** KeyUsage flags (`1 << bit`), or undefined without the extension. */
  readonly keyUsageFlags: number | undefined;
  readonly extKeyUsageOids: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly subjectKeyId: string | undefined;
  readonly authorityKeyId: string | undefined;
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/**
 * Decodes a DER certificate's TBS fields. Does not verify the signature, nor read the
 * signatureAlgorithm and signatureValue after the tbsCertificate.
 * @throws DerError when the bytes are not a certificate, a time is not DER (`…Z` with seconds),
 * or a name or a read extension is malformed.
 */
export function decodeCertificate(der: Uint8Array): DecodedCertificate {
  const layout = readCertificateLayout(der);
  const validity = childrenOf(der, layout.validity);
  const [notBefore, notAfter] = validity.map((t) => decodeTime(t.tag, contentOf(der, t)));
  if (!notBefore || !notAfter || validity.length !== 2)
    throw new DerError('validity must hold two times');
  const subjectDer = encodingOf(der, layout.subject);
  const issuerDer = encodingOf(der, layout.issuer);
  // Names are checked here so a malformed one fails the parse, not a later field access.
  decodeNameFields(subjectDer);
  decodeNameFields(issuerDer);
  return {
    serialHex: serialText(contentOf(der, layout.serial)),
    subjectDer,
    issuerDer,
    notBefore,
    notAfter,
    spki: encodingOf(der, layout.spki),
    ...decodeExtensions(der, readExtensions(der, layout.extensions)),
  };
}

/** Hex of the serial's content, without the 0x00 sign pad (as @peculiar/x509 and OpenSSL show it). */
function serialText(content: Uint8Array): string {
  const unpadded =
    content.length > 1 && content[0] === 0 && (content[1] as number) > 0x7f
      ? content.subarray(1)
      : content;
  return hex(unpadded);
}

type ExtensionFields = Pick<
  DecodedCertificate,
  | 'isCA'
  | 'keyUsageFlags'
  | 'extKeyUsageOids'
  | 'dnsNames'
  | 'ipAddresses'
  | 'subjectKeyId'
  | 'authorityKeyId'
>;

/** Decodes the extensions kpki reads; the others are skipped unread, critical or not. */
function decodeExtensions(
  der: Uint8Array,
  extensions: readonly ExtensionLayout[],
): ExtensionFields {
  const out: { -readonly [K in keyof ExtensionFields]: ExtensionFields[K] } = {
    isCA: false,
    keyUsageFlags: undefined,
    extKeyUsageOids: [],
    dnsNames: [],
    ipAddresses: [],
    subjectKeyId: undefined,
    authorityKeyId: undefined,
  };
  for (const { oid, value } of extensions) {
    const inner = readTlv(der, value.contentStart, value.end);
    switch (oid) {
      case '2.5.29.19':
        out.isCA = basicConstraintsCa(der, inner);
        break;
      case '2.5.29.15':
        out.keyUsageFlags = namedBitFlags(contentOf(der, inner));
        break;
      case '2.5.29.37':
        out.extKeyUsageOids = childrenOf(der, inner).map((t) => decodeOid(contentOf(der, t)));
        break;
      case '2.5.29.17':
        Object.assign(out, altNames(der, inner));
        break;
      case '2.5.29.14':
        out.subjectKeyId = hex(contentOf(der, inner));
        break;
      case '2.5.29.35':
        out.authorityKeyId = authorityKeyId(der, inner);
        break;
      default:
        break;
    }
  }
  return out;
}

function basicConstraintsCa(der: Uint8Array, seq: Tlv): boolean {
  const first = childrenOf(der, seq)[0];
  return first?.tag === Tag.boolean && der[first.contentStart] !== 0;
}

/** Bit i of a named-bit BIT STRING (first content byte = unused bits) as `1 << i`. */
function namedBitFlags(content: Uint8Array): number {
  let flags = 0;
  for (let i = 1; i < content.length && i <= 4; i++) {
    const byte = content[i] as number;
    for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) flags |= 1 << ((i - 1) * 8 + bit);
  }
  return flags;
}

function altNames(der: Uint8Array, seq: Tlv): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const name of childrenOf(der, seq)) {
    const content = contentOf(der, name);
    if (name.tag === 0x82) dnsNames.push(Buffer.from(content).toString('latin1'));
    if (name.tag === 0x87) ipAddresses.push(ipText(content));
  }
  return { dnsNames, ipAddresses };
}

function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) return hex(bytes);
  const groups = Array.from({ length: 8 }, (_, g) =>
    (((bytes[2 * g] as number) << 8) | (bytes[2 * g + 1] as number)).toString(16),
  );
  const text = groups.join(':');
  return canonicalIp(text) ?? text;
}

function authorityKeyId(der: Uint8Array, seq: Tlv): string | undefined {
  const keyId = childrenOf(der, seq).find((t) => t.tag === 0x80);
  return keyId ? hex(contentOf(der, keyId)) : undefined;
}
