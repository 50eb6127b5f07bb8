/** Display form of X.500 names for human-readable reasons (not for comparison). */
import type { Name } from '@peculiar/asn1-x509';

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** The short label of an attribute type (`CN`, `O`…), or its dotted OID when it has none. */
export function attributeLabel(oid: string): string {
  return SHORT_NAMES[oid] ?? oid;
}

/** Renders a Name as `CN=foo, O=bar` in encoded order; empty names render as `(empty name)`. */
export function formatName(name: Name): string {
  const parts: string[] = [];
  for (const rdn of name) {
    for (const atv of rdn) {
      parts.push(`${attributeLabel(atv.type)}=${atv.value.toString()}`);
    }
  }
  return parts.length === 0 ? '(empty name)' : parts.join(', ');
}
