/**
 * Decoding the fields kpki reads from a DER certificate with the minimal DER reader. This is the
 * hot path of `check` (thousands of certificates in a large RKE state), so it walks the bytes once
 * and decodes only the extensions kpki uses; everything else is skipped unread.
 */
import { childrenOf, contentOf, decodeOid, decodeTime, DerError, encodingOf, expectTlv, readTlv, Tag, type Tlv } from './der-reader.js';
import { decodeNameFields } from './name.js';
import { canonicalIp } from './san.js';

/** Key usage bits kpki names, as `1 << bit` of the KeyUsage BIT STRING (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = { digitalSignature: 1 << 0, keyEncipherment: 1 << 2, keyCertSign: 1 << 5, cRLSign: 1 << 6 } as const;

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

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/**
 * Decodes a DER certificate's TBS fields. Does not verify the signature.
 * @throws DerError when the bytes are not a certificate.
 */
export function decodeCertificate(der: Uint8Array): DecodedCertificate {
  const cert = expectTlv(der, 0, der.length, Tag.sequence);
  if (cert.end !== der.length) throw new DerError('trailing bytes after the certificate');
  const tbs = expectTlv(der, cert.contentStart, cert.end, Tag.sequence);
  const fields = childrenOf(der, tbs);
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const next = (tag: number): Tlv => {
    const field = fields[i++];
    if (field?.tag !== tag) throw new DerError(`certificate field ${i} has the wrong type`);
    return field;
  };
  const serial = next(Tag.integer);
  next(Tag.sequence);
  const issuer = next(Tag.sequence);
  const validity = childrenOf(der, next(Tag.sequence));
  const subject = next(Tag.sequence);
  const spki = next(Tag.sequence);
  const [notBefore, notAfter] = validity.map((t) => decodeTime(t.tag, contentOf(der, t)));
  if (!notBefore || !notAfter || validity.length !== 2) throw new DerError('validity must hold two times');
  const extensions = fields.slice(i).find((field) => field.tag === 0xa3);
  const subjectDer = encodingOf(der, subject);
  const issuerDer = encodingOf(der, issuer);
  // Names are checked here so a malformed one fails the parse, not a later field access.
  decodeNameFields(subjectDer);
  decodeNameFields(issuerDer);
  return {
    serialHex: serialText(contentOf(der, serial)),
    subjectDer, issuerDer, notBefore, notAfter,
    spki: encodingOf(der, spki),
    ...decodeExtensions(der, extensions),
  };
}

/** Hex of the serial's content, without the 0x00 sign pad (as @peculiar/x509 and OpenSSL show it). */
function serialText(content: Uint8Array): string {
  const unpadded = content.length > 1 && content[0] === 0 && (content[1] as number) > 0x7f ? content.subarray(1) : content;
  return hex(unpadded);
}

type ExtensionFields = Pick<DecodedCertificate, 'isCA' | 'keyUsageFlags' | 'extKeyUsageOids' | 'dnsNames' | 'ipAddresses' | 'subjectKeyId' | 'authorityKeyId'>;

function decodeExtensions(der: Uint8Array, wrapper: Tlv | undefined): ExtensionFields {
  const out: { -readonly [K in keyof ExtensionFields]: ExtensionFields[K] } = {
    isCA: false, keyUsageFlags: undefined, extKeyUsageOids: [], dnsNames: [], ipAddresses: [], subjectKeyId: undefined, authorityKeyId: undefined,
  };
  if (!wrapper) return out;
  const list = expectTlv(der, wrapper.contentStart, wrapper.end, Tag.sequence);
  for (const ext of childrenOf(der, list)) {
    const parts = childrenOf(der, ext);
    const id = parts[0];
    const value = parts[parts.length - 1];
    if (id?.tag !== Tag.oid || value?.tag !== Tag.octetString) throw new DerError('malformed extension');
    const inner = readTlv(der, value.contentStart, value.end);
    switch (decodeOid(contentOf(der, id))) {
      case '2.5.29.19': out.isCA = basicConstraintsCa(der, inner); break;
      case '2.5.29.15': out.keyUsageFlags = namedBitFlags(contentOf(der, inner)); break;
      case '2.5.29.37': out.extKeyUsageOids = childrenOf(der, inner).map((t) => decodeOid(contentOf(der, t))); break;
      case '2.5.29.17': Object.assign(out, altNames(der, inner)); break;
      case '2.5.29.14': out.subjectKeyId = hex(contentOf(der, inner)); break;
      case '2.5.29.35': out.authorityKeyId = authorityKeyId(der, inner); break;
      default: break;
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
  const groups = Array.from({ length: 8 }, (_, g) => (((bytes[2 * g] as number) << 8) | (bytes[2 * g + 1] as number)).toString(16));
  const text = groups.join(':');
  return canonicalIp(text) ?? text;
}

function authorityKeyId(der: Uint8Array, seq: Tlv): string | undefined {
  const keyId = childrenOf(der, seq).find((t) => t.tag === 0x80);
  return keyId ? hex(contentOf(der, keyId)) : undefined;
}
