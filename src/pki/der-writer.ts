/**
 * A minimal DER writer (X.690) for the handful of types a certificate needs. Values are built
 * from Buffers and concatenated once per element; there is no object model, so encoding a
 * certificate costs microseconds rather than the milliseconds of a general ASN.1 library.
 */
import { Tag } from './der-reader.js';

/** Encodes one element from its tag and content parts. */
export function tlv(tag: number, ...content: readonly Uint8Array[]): Buffer {
  const body = content.length === 1 ? (content[0] as Uint8Array) : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthOf(body.length), body]);
}

/** DER length octets: short form below 128, else the minimal long form. */
function lengthOf(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A SEQUENCE of already-encoded elements. */
export function sequence(...items: readonly Uint8Array[]): Buffer {
  return tlv(Tag.sequence, ...items);
}

/** A SET OF already-encoded elements, sorted by encoding as DER requires (X.690 §11.6). */
export function setOf(items: readonly Uint8Array[]): Buffer {
  return tlv(Tag.set, ...[...items].sort((a, b) => Buffer.compare(a, b)));
}

/** An OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [];
  const push = (value: number): void => {
    const chunk = [value & 0x7f];
    for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128))
      chunk.unshift(0x80 | (rest & 0x7f));
    bytes.push(...chunk);
  };
  push((arcs[0] ?? 0) * 40 + (arcs[1] ?? 0));
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(Tag.oid, Buffer.from(bytes));
}

/** A positive INTEGER from lower-case hex (any length): minimal, with a 0x00 pad when the top bit is set. */
export function positiveInteger(hex: string): Buffer {
  let bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
  let first = 0;
  while (first < bytes.length - 1 && bytes[first] === 0) first++;
  bytes = bytes.subarray(first);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  return tlv(
    Tag.integer,
    (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes,
  );
}

/** A small non-negative INTEGER (version numbers). */
export function smallInteger(value: number): Buffer {
  return positiveInteger(value.toString(16));
}

/** BOOLEAN TRUE (DER: 0xff). FALSE is never encoded: it is the default wherever X.509 uses BOOLEAN. */
export const TRUE = Buffer.from([Tag.boolean, 1, 0xff]);

/** NULL, the parameters of RSA signature algorithms. */
export const NULL = Buffer.from([Tag.null, 0]);

/** An OCTET STRING. */
export function octetString(content: Uint8Array): Buffer {
  return tlv(Tag.octetString, content);
}

/** A BIT STRING of whole bytes (signatures, key ids): zero unused bits. */
export function bitString(content: Uint8Array): Buffer {
  return tlv(Tag.bitString, Buffer.from([0]), content);
}

/**
 * A BIT STRING of named bits (KeyUsage): bit i is `1 << i` of `flags`, trailing zero bits are
 * dropped as DER requires for named bit lists (X.690 §11.2.2).
 */
export function namedBits(flags: number): Buffer {
  if (flags === 0) return tlv(Tag.bitString, Buffer.from([0]));
  const highest = 31 - Math.clz32(flags);
  const bytes = Buffer.alloc((highest >> 3) + 1);
  for (let bit = 0; bit <= highest; bit++) {
    if (flags & (1 << bit)) bytes[bit >> 3] = (bytes[bit >> 3] as number) | (0x80 >> (bit & 7));
  }
  return tlv(Tag.bitString, Buffer.from([7 - (highest & 7)]), bytes);
}

/**
 * A certificate validity time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280
 * §4.1.2.5), always in seconds with `Z`. Milliseconds are dropped.
 */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const year = date.getUTCFullYear();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  if (year >= 1950 && year < 2050)
    return tlv(Tag.utcTime, Buffer.from(`${digits.slice(2)}Z`, 'latin1'));
  return tlv(Tag.generalizedTime, Buffer.from(`${digits}Z`, 'latin1'));
}

/** A context-specific tag number `n`: constructed (`[n] EXPLICIT`) or primitive (`[n] IMPLICIT` of a primitive). */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}
