/**
 * Distinguished names encoded as Go's crypto/x509 encodes them (what kubeadm, K3s and RKE write):
 * O before CN, several O values in one multi-valued RDN (DER-sorted), PrintableString when the
 * value allows it, UTF8String otherwise.
 */
import {
  childrenOf,
  contentOf,
  decodeOid,
  decodeString,
  DerError,
  expectTlv,
  readTlv,
  Tag,
} from './der-reader.js';
import { oid, sequence, setOf, tlv } from './der-writer.js';

/** The subject fields the distributions use. */
export interface SubjectFields {
  readonly cn: string;
  readonly o?: readonly string[];
}

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const OID_CN_DER = oid(OID_CN);
const OID_O_DER = oid(OID_O);

/** Builds the DER of a Name from CN and O, byte-for-byte as Go does. */
export function encodeName(subject: SubjectFields): Uint8Array {
  const rdns: Buffer[] = [];
  const orgs = subject.o ?? [];
  // DER requires SET OF members in ascending order of their encodings (X.690 §11.6), as Go does.
  if (orgs.length > 0) rdns.push(setOf(orgs.map((o) => atv(OID_O_DER, o))));
  rdns.push(setOf([atv(OID_CN_DER, subject.cn)]));
  return sequence(...rdns);
}

function atv(type: Buffer, value: string): Buffer {
  const text = isPrintable(value)
    ? tlv(Tag.printableString, Buffer.from(value, 'latin1'))
    : tlv(Tag.utf8String, Buffer.from(value, 'utf8'));
  return sequence(type, text);
}

/** ASN.1 PrintableString alphabet (X.680 §41.4), the test Go's encoding/asn1 applies. */
export function isPrintable(value: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
}

/**
 * Reads CN (first) and every O value from a DER Name. A value that is not a string type is
 * shown as `#` and its hex encoding (RFC 4514 §2.4).
 * @throws DerError when the bytes are not a Name.
 */
export function decodeNameFields(input: ArrayBuffer | Uint8Array): {
  cn: string | undefined;
  o: string[];
} {
  const der = input instanceof Uint8Array ? input : new Uint8Array(input);
  const name = expectTlv(der, 0, der.length, Tag.sequence);
  let cn: string | undefined;
  const o: string[] = [];
  for (const rdn of childrenOf(der, name)) {
    if (rdn.tag !== Tag.set) throw new DerError('a name holds something other than a SET');
    for (const entry of childrenOf(der, rdn)) {
      const type = expectTlv(der, entry.contentStart, entry.end, Tag.oid);
      const value = readTlv(der, type.end, entry.end);
      const oidText = decodeOid(contentOf(der, type));
      if (oidText !== OID_CN && oidText !== OID_O) continue;
      const text = valueText(der, value.tag, contentOf(der, value), value.start, value.end);
      if (oidText === OID_CN && cn === undefined) cn = text;
      if (oidText === OID_O) o.push(text);
    }
  }
  return { cn, o };
}

function valueText(
  der: Uint8Array,
  tag: number,
  content: Uint8Array,
  start: number,
  end: number,
): string {
  try {
    return decodeString(tag, content);
  } catch {
    return `#${Buffer.from(der.subarray(start, end)).toString('hex')}`;
  }
}
