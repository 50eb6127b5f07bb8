/**
 * A minimal DER TLV reader. The ASN.1 library re-encodes what it parses, but signatures and name
 * chaining need the exact bytes that were signed (RFC 5280 §4.1.1.3 signs the DER of
 * tbsCertificate as transmitted; §7.1 compares names as encoded), so raw slices come from here.
 */

/** One tag-length-value element: `bytes.subarray(start, end)` is the whole element. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** Thrown for truncated or non-DER input; callers turn it into a decode error result. */
export class DerError extends Error {}

/**
 * Reads the element at `offset` of `bytes`. Supports single-byte tags and definite lengths only,
 * which is all DER allows for the structures read here. Throws {@link DerError} on bad input.
 */
export function readTlv(bytes: Uint8Array, offset: number): Tlv {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) throw new DerError('truncated element');
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new DerError('unsupported length encoding');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[contentStart + i];
      if (b === undefined) throw new DerError('truncated length');
      length = length * 256 + b;
    }
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > bytes.length) throw new DerError('element runs past the end of its container');
  return { tag, start: offset, contentStart, end };
}

/** The direct children of a constructed element. Throws {@link DerError} on bad input. */
export function readChildren(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readTlv(bytes, offset);
    if (child.end > parent.end) throw new DerError('child runs past its parent');
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** The content bytes of an element (a view, not a copy). */
export function contentOf(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.contentStart, tlv.end);
}

/** The whole encoding of an element (a view, not a copy). */
export function encodingOf(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.start, tlv.end);
}

/** Decodes the content of an OBJECT IDENTIFIER element to dotted form. Throws on bad input. */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new DerError('empty object identifier');
  const arcs: number[] = [];
  let value = 0;
  for (const b of content) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  if ((content[content.length - 1]! & 0x80) !== 0) throw new DerError('truncated object identifier');
  const head = arcs.shift() ?? 0;
  const firstArc = head < 80 ? Math.floor(head / 40) : 2;
  return [firstArc, head - firstArc * 40, ...arcs].join('.');
}

/** True when two byte strings are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
