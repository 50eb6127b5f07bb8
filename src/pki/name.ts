/**
 * Distinguished names encoded as Go's crypto/x509 encodes them (what kubeadm, K3s and RKE write):
 * O before CN, several O values in one multi-valued RDN (DER-sorted), PrintableString when the
 * value allows it, UTF8String otherwise.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';

/** The subject fields the distributions use. */
export interface SubjectFields {
  readonly cn: string;
  readonly o?: readonly string[];
}

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';

/** Builds the DER of a Name from CN and O, byte-for-byte as Go does. */
export function encodeName(subject: SubjectFields): ArrayBuffer {
  const rdns: RelativeDistinguishedName[] = [];
  const orgs = subject.o ?? [];
  if (orgs.length > 0) rdns.push(rdn(orgs.map((o) => atv(OID_O, o))));
  rdns.push(rdn([atv(OID_CN, subject.cn)]));
  return AsnConvert.serialize(new Name(rdns));
}

function atv(type: string, value: string): AttributeTypeAndValue {
  const v = isPrintable(value) ? new AttributeValue({ printableString: value }) : new AttributeValue({ utf8String: value });
  return new AttributeTypeAndValue({ type, value: v });
}

/** DER requires SET OF members in ascending order of their encodings (X.690 §11.6), as Go does. */
function rdn(values: AttributeTypeAndValue[]): RelativeDistinguishedName {
  const sorted = values
    .map((value) => ({ value, der: Buffer.from(AsnConvert.serialize(value)) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map((entry) => entry.value);
  return new RelativeDistinguishedName(sorted);
}

/** ASN.1 PrintableString alphabet (X.680 §41.4), the test Go's encoding/asn1 applies. */
export function isPrintable(value: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
}

/** Reads CN (first) and every O value from a DER Name. */
export function decodeNameFields(der: ArrayBuffer | Uint8Array): { cn: string | undefined; o: string[] } {
  const name = AsnConvert.parse(der, Name);
  let cn: string | undefined;
  const o: string[] = [];
  for (const set of name) {
    for (const entry of set) {
      const text = entry.value.toString();
      if (entry.type === OID_CN && cn === undefined) cn = text;
      if (entry.type === OID_O) o.push(text);
    }
  }
  return { cn, o };
}
