/**
 * GeneralName decoding from raw DER (RFC 5280 §4.2.1.6). Done by hand because the ASN.1 library
 * turns iPAddress octets into text and loses non-contiguous masks and odd lengths, which name
 * constraint checking must see to reject them (§4.2.1.10).
 */
import { DerError, contentOf, decodeOid, encodingOf, childrenOf, readTlv } from '../der-reader.js';
import type { Tlv } from '../der-reader.js';

/** One decoded GeneralName. Kinds the validator does not interpret keep only their kind. */
export type GeneralName =
  | { readonly kind: 'dns'; readonly value: string }
  | { readonly kind: 'email'; readonly value: string }
  | { readonly kind: 'uri'; readonly value: string }
  | { readonly kind: 'ip'; readonly bytes: Uint8Array }
  | { readonly kind: 'directory'; readonly der: Uint8Array }
  | { readonly kind: 'other'; readonly typeId: string }
  | { readonly kind: 'x400' | 'edi' | 'registeredId' };

/** The kind of a GeneralName, also used to group name constraints. */
export type GeneralNameKind = GeneralName['kind'];

/** Decodes an IA5String body; non-ASCII bytes are an error (RFC 5280 §7.2: IA5 is ASCII). */
function ia5(content: Uint8Array): string {
  for (const b of content) if (b > 0x7f) throw new DerError('IA5String holds non-ASCII bytes');
  return String.fromCharCode(...content);
}

/** Decodes one context-tagged GeneralName element. Throws {@link DerError} on bad input. */
export function decodeGeneralName(bytes: Uint8Array, tlv: Tlv): GeneralName {
  const content = contentOf(bytes, tlv);
  switch (tlv.tag) {
    case 0xa0: {
      const oid = readTlv(bytes, tlv.contentStart);
      if (oid.tag !== 0x06) throw new DerError('otherName without type-id');
      return { kind: 'other', typeId: decodeOid(contentOf(bytes, oid)) };
    }
    case 0x81:
      return { kind: 'email', value: ia5(content) };
    case 0x82:
      return { kind: 'dns', value: ia5(content) };
    case 0xa3:
      return { kind: 'x400' };
    case 0xa4: {
      // [4] is EXPLICIT because Name is a CHOICE (RFC 5280 §4.2.1.6 ASN.1 module).
      const name = readTlv(bytes, tlv.contentStart);
      if (name.tag !== 0x30 || name.end !== tlv.end) throw new DerError('malformed directoryName');
      return { kind: 'directory', der: encodingOf(bytes, name) };
    }
    case 0xa5:
      return { kind: 'edi' };
    case 0x86:
      return { kind: 'uri', value: ia5(content) };
    case 0x87:
      return { kind: 'ip', bytes: Uint8Array.from(content) };
    case 0x88:
      return { kind: 'registeredId' };
    default:
      throw new DerError(`unknown GeneralName tag 0x${tlv.tag.toString(16)}`);
  }
}

/** Decodes a GeneralNames SEQUENCE (SIZE 1..MAX). Throws {@link DerError} on bad input. */
export function decodeGeneralNames(der: Uint8Array): GeneralName[] {
  const seq = readTlv(der, 0);
  if (seq.tag !== 0x30 || seq.end !== der.length)
    throw new DerError('GeneralNames is not a SEQUENCE');
  const names = childrenOf(der, seq).map((child) => decodeGeneralName(der, child));
  if (names.length === 0) throw new DerError('GeneralNames is empty');
  return names;
}
