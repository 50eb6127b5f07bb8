/**
 * The tbsCertificate fields the validator reads besides the extensions — version, names (display
 * text and emptiness) and validity — read with the DER reader instead of a general ASN.1 library,
 * which costs milliseconds per certificate cold and was most of `kpki check`'s validation time.
 *
 * The contract is one-sided on purpose: {@link readTbsFields} answers only for certificates inside
 * a narrow, strict DER profile, and for those gives exactly what the @peculiar/asn1-x509 parse in
 * asn1-tbs-fields.ts gives; for anything else it returns undefined and the caller asks that parse,
 * so the validator never accepts an input it rejected before and never reads a field differently.
 * The profile: every element is strict DER (the reader's minimal definite lengths), universal tags
 * are only the primitive types listed in PRIMITIVE_OK and SEQUENCE/SET, nesting ≤ 50, the whole
 * input < 10,000 bytes (so asn1js's 10,000-node budget, which also counts what it finds inside BIT
 * STRINGs, cannot be reached: nodes of each parse level own disjoint bytes), names hold only
 * PrintableString, UTF8String (valid, no BOM) and IA5String values, times are the DER form with
 * in-range fields, and the Certificate and tbsCertificate have exactly their RFC 5280 §4.1 shape.
 */
import { readExtensions, type CertificateLayout } from '../certificate-layout.js';
import { childrenOf, contentOf, decodeOid, Tag, type Tlv } from '../der-reader.js';
import { attributeLabel } from './name-text.js';

/** What {@link readTbsFields} gives; the same fields the asn1 parse gives. */
export interface TbsFields {
  readonly version: number;
  readonly issuerEmpty: boolean;
  readonly subjectEmpty: boolean;
  readonly subjectText: string;
  readonly issuerText: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Leaves the profile; caught in {@link readTbsFields} only. */
class OutsideProfile extends Error {}
const outside = (): never => {
  throw new OutsideProfile();
};

const MAX_BYTES = 10_000;
const MAX_DEPTH = 50;
const OPTIONAL_TAIL = [0x81, 0x82, 0xa3] as const; // issuerUniqueID, subjectUniqueID, extensions

/**
 * The version, names and validity of a certificate whose layout is `layout`, or undefined when
 * the certificate is outside the strict profile this module reads (the caller then uses the
 * general ASN.1 parse). Never throws.
 */
export function readTbsFields(der: Uint8Array, layout: CertificateLayout): TbsFields | undefined {
  try {
    if (der.length >= MAX_BYTES) return undefined;
    walk(der, layout.certificate, 0);
    checkShape(der, layout);
    const [notBefore, notAfter] = validityOf(der, layout.validity);
    const subject = nameParts(der, layout.subject);
    const issuer = nameParts(der, layout.issuer);
    return {
      version: versionOf(der, layout.version),
      issuerEmpty: issuer.rdns === 0,
      subjectEmpty: subject.rdns === 0,
      subjectText: subject.text,
      issuerText: issuer.text,
      notBefore,
      notAfter,
    };
  } catch {
    // OutsideProfile, or a DerError from a malformed inner element: both go to the general parse.
    return undefined;
  }
}

/** Universal primitive tags in the profile, with a check of their content. */
const PRIMITIVE_OK: Readonly<Record<number, (content: Uint8Array) => boolean>> = {
  [Tag.boolean]: (c) => c.length === 1,
  [Tag.integer]: (c) => c.length >= 1,
  [Tag.bitString]: (c) => c.length >= 1 && (c[0] as number) <= 7 && (c.length > 1 || c[0] === 0),
  [Tag.octetString]: () => true,
  [Tag.null]: (c) => c.length === 0,
  [Tag.oid]: oidInProfile,
  [Tag.utf8String]: () => true,
  [Tag.printableString]: () => true,
  [Tag.ia5String]: () => true,
  // Times anywhere, not only in validity: asn1js converts every time it meets and throws on a bad one.
  [Tag.utcTime]: (c) => dateOf(Tag.utcTime, c) !== undefined,
  [Tag.generalizedTime]: (c) => dateOf(Tag.generalizedTime, c) !== undefined,
};

/** Every element below `tlv` is strict DER with a tag in the profile. */
function walk(der: Uint8Array, tlv: Tlv, depth: number): void {
  if (depth > MAX_DEPTH) outside();
  const tagClass = tlv.tag & 0xc0;
  const constructed = (tlv.tag & 0x20) !== 0;
  if (tagClass === 0x40 || tagClass === 0xc0) outside(); // application, private
  if (constructed) {
    if (tagClass === 0 && tlv.tag !== Tag.sequence && tlv.tag !== Tag.set) outside();
    for (const child of childrenOf(der, tlv)) walk(der, child, depth + 1);
  } else if (tagClass === 0 && PRIMITIVE_OK[tlv.tag]?.(contentOf(der, tlv)) !== true) {
    outside();
  }
}

/** Arcs of at most four octets (values below 2^28), minimal, and a complete last arc. */
function oidInProfile(content: Uint8Array): boolean {
  if (content.length === 0 || ((content[content.length - 1] as number) & 0x80) !== 0) return false;
  let run = 0;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i] as number;
    if (run === 0 && byte === 0x80) return false;
    run = byte & 0x80 ? run + 1 : 0;
    if (run >= 4) return false;
  }
  return true;
}

/** Certificate = 3 elements; tbsCertificate = its fields in order, each optional one at most once. */
function checkShape(der: Uint8Array, layout: CertificateLayout): void {
  const outer = childrenOf(der, layout.certificate);
  if (outer.length !== 3 || outer[2]?.tag !== Tag.bitString) outside();
  algorithmIdentifier(der, outer[1] as Tlv);
  algorithmIdentifier(der, layout.tbsSignatureAlgorithm);
  const fields = childrenOf(der, layout.tbs);
  let tail = 6 + (layout.version === undefined ? 0 : 1);
  for (const tag of OPTIONAL_TAIL) if (fields[tail]?.tag === tag) tail++;
  if (tail !== fields.length || fields.some((f) => f.tag === 0x81 || f.tag === 0x82)) outside();
  const spki = childrenOf(der, layout.spki);
  if (spki.length !== 2 || spki[1]?.tag !== Tag.bitString) outside();
  algorithmIdentifier(der, spki[0] as Tlv);
  if (layout.extensions !== undefined) {
    const inner = childrenOf(der, layout.extensions);
    if (inner.length !== 1 || inner[0]?.tag !== Tag.sequence) outside();
    readExtensions(der, layout.extensions); // each SEQUENCE { OID, [BOOLEAN,] OCTET STRING }
  }
}

function algorithmIdentifier(der: Uint8Array, tlv: Tlv): void {
  if (tlv.tag !== Tag.sequence) outside();
  const parts = childrenOf(der, tlv);
  if (parts.length < 1 || parts.length > 2 || parts[0]?.tag !== Tag.oid) outside();
}

function versionOf(der: Uint8Array, wrapper: Tlv | undefined): number {
  if (wrapper === undefined) return 1;
  const inner = childrenOf(der, wrapper);
  const value = inner[0];
  if (inner.length !== 1 || value?.tag !== Tag.integer || value.end - value.contentStart !== 1)
    outside();
  const v = der[(value as Tlv).contentStart] as number;
  return v <= 2 ? v + 1 : outside();
}

const TIME = {
  [Tag.utcTime]: /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/,
  [Tag.generalizedTime]: /^([1-9]\d{3})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/,
} as Readonly<Record<number, RegExp>>;

function validityOf(der: Uint8Array, validity: Tlv): [Date, Date] {
  const times = childrenOf(der, validity);
  if (times.length !== 2) outside();
  return times.map((t) => timeOf(der, t)) as [Date, Date];
}

function timeOf(der: Uint8Array, t: Tlv): Date {
  return dateOf(t.tag, contentOf(der, t)) ?? outside();
}

/** The DER-form time with in-range fields, or undefined. */
function dateOf(tag: number, content: Uint8Array): Date | undefined {
  const text = Buffer.from(content).toString('latin1');
  const match = TIME[tag]?.exec(text);
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, ...number[]];
  if (!(mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= 31 && h! <= 23 && mi! <= 59 && s! <= 59))
    return undefined;
  const year = tag === Tag.utcTime ? (y < 50 ? 2000 + y : 1900 + y) : y;
  const date = new Date(Date.UTC(year, mo! - 1, d, h, mi, s));
  // A day past the month's end (31 April) rolls over in Date.UTC; leave those to the general parse.
  return date.getUTCDate() === d ? date : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function attributeText(der: Uint8Array, value: Tlv): string {
  const content = contentOf(der, value);
  if (value.tag === Tag.printableString || value.tag === Tag.ia5String)
    return Buffer.from(content).toString('latin1');
  if (value.tag !== Tag.utf8String) outside();
  if (content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf) outside();
  return utf8.decode(content);
}

/** A Name's display text (name-text.ts's form) and RDN count. */
function nameParts(der: Uint8Array, name: Tlv): { text: string; rdns: number } {
  const parts: string[] = [];
  const rdns = childrenOf(der, name);
  for (const rdn of rdns) {
    const atvs = rdn.tag === Tag.set ? childrenOf(der, rdn) : outside();
    if (atvs.length === 0) outside();
    for (const atv of atvs) {
      const [type, value] = atv.tag === Tag.sequence ? childrenOf(der, atv) : outside();
      if (type?.tag !== Tag.oid || value === undefined || childrenOf(der, atv).length !== 2)
        outside();
      const oid = decodeOid(contentOf(der, type as Tlv));
      parts.push(`${attributeLabel(oid)}=${attributeText(der, value as Tlv)}`);
    }
  }
  return { text: parts.length === 0 ? '(empty name)' : parts.join(', '), rdns: rdns.length };
}
