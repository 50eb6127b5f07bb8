/**
 * The one DER reader of pki/ (X.690): tag-length-value walking over a byte array, without building
 * an object tree. Two users rely on it:
 * - the fast parse and issue path (`check` over a large RKE state reads thousands of certificates,
 *   and a general ASN.1 library costs milliseconds each);
 * - the path validator in verify/, which needs the exact bytes that were signed and compared
 *   (RFC 5280 §4.1.1.3 signs the DER of tbsCertificate as transmitted; §7.1 compares names as
 *   encoded), which an ASN.1 library that re-encodes what it parses cannot give.
 * It accepts only what DER allows (definite lengths, minimal long-form lengths) and single-byte
 * tags, which is all X.509 uses, and throws {@link DerError} for anything else.
 */

/** One element: its tag byte and where its header and content lie in the buffer. */
export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

/** DER tags used by X.509 (universal class, plus the context-specific ones kpki reads). */
export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Thrown for malformed DER; callers wrap it in a domain error naming the source. */
export class DerError extends Error {}

/**
 * Reads the element starting at `offset`, which must end at or before `limit`.
 * @throws DerError on truncation, indefinite or non-minimal lengths, or multi-byte tags.
 */
export function readTlv(buf: Uint8Array, offset: number, limit: number = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError(`truncated element at ${offset}`);
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at ${offset}`);
  let length = buf[offset + 1] as number;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError(`unsupported length form at ${offset}`);
    if (contentStart + count > limit) throw new DerError(`truncated length at ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[contentStart + i] as number);
    // DER: the long form only when needed, and with no leading zero byte (X.690 §10.1).
    if (length < 0x80 || buf[contentStart] === 0)
      throw new DerError(`non-minimal length at ${offset}`);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`element at ${offset} overruns its container`);
  return { tag, start: offset, contentStart, end };
}

/** Reads an element and checks its tag. @throws DerError when the tag differs. */
export function expectTlv(buf: Uint8Array, offset: number, limit: number, tag: number): Tlv {
  const tlv = readTlv(buf, offset, limit);
  if (tlv.tag !== tag)
    throw new DerError(
      `expected tag 0x${tag.toString(16)} at ${offset}, found 0x${tlv.tag.toString(16)}`,
    );
  return tlv;
}

/**
 * The elements inside a constructed element, in order.
 * @throws DerError when a child is malformed or runs past `parent`.
 */
export function childrenOf(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const child = readTlv(buf, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The content bytes of an element (a view, not a copy). */
export function contentOf(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.contentStart, tlv.end);
}

/** The whole encoding of an element, header included (a view, not a copy). */
export function encodingOf(buf: Uint8Array, tlv: Tlv): Uint8Array {
  return buf.subarray(tlv.start, tlv.end);
}

/**
 * Dotted text of an OBJECT IDENTIFIER's content.
 * @throws DerError when the content is empty (X.690 §8.19.2 wants at least one subidentifier) or
 * ends inside an arc.
 */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new DerError('empty object identifier');
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i] as number;
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0)
        arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    } else if (i === content.length - 1) {
      throw new DerError('truncated object identifier');
    }
  }
  return arcs.join('.');
}

/**
 * Text of a directory string (the string types RFC 5280 allows in names). TeletexString is read
 * as Latin-1, as Go and OpenSSL in practice do.
 * @throws DerError for a non-string tag.
 */
export function decodeString(tag: number, content: Uint8Array): string {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  switch (tag) {
    case Tag.utf8String:
      return bytes.toString('utf8');
    case Tag.printableString:
    case Tag.ia5String:
    case Tag.teletexString:
      return bytes.toString('latin1');
    case Tag.bmpString:
      return Buffer.from(bytes).swap16().toString('utf16le');
    case Tag.universalString:
      return String.fromCodePoint(
        ...Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readUInt32BE(i * 4)),
      );
    default:
      throw new DerError(`tag 0x${tag.toString(16)} is not a string type`);
  }
}

/**
 * A UTCTime or GeneralizedTime as a Date. UTCTime years 50–99 are 1950–1999 (RFC 5280 §4.1.2.5.1).
 * @throws DerError when the time is not the DER form `…Z` with seconds.
 */
export function decodeTime(tag: number, content: Uint8Array): Date {
  const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString(
    'latin1',
  );
  const match =
    tag === Tag.utcTime
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : tag === Tag.generalizedTime
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (!match) throw new DerError(`invalid time "${text}"`);
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const year = tag === Tag.utcTime ? (y < 50 ? 2000 + y : 1900 + y) : y;
  return new Date(Date.UTC(year, mo - 1, d, h, mi, s));
}

/** True when two byte strings are equal (for names, keys and identifiers compared as encoded). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
