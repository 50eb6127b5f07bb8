/**
 * The general parse behind tbs-fields.ts: the whole certificate through @peculiar/asn1-x509, for
 * the inputs outside the strict profile the DER reader answers for. It is the structural gate the
 * conformance suites hold the validator to, so anything it rejects stays rejected.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { formatName } from './name-text.js';
import type { TbsFields } from './tbs-fields.js';

/**
 * Parses `der` as a Certificate with @peculiar/asn1-x509 and returns the version, names and
 * validity. @throws Error (from asn1js or the schema) when the bytes do not parse as a Certificate.
 */
export function parseTbsFieldsWithAsn1(der: Uint8Array): TbsFields {
  const tbs = AsnConvert.parse(der, Certificate).tbsCertificate;
  return {
    version: tbs.version + 1,
    issuerEmpty: tbs.issuer.length === 0,
    subjectEmpty: tbs.subject.length === 0,
    subjectText: formatName(tbs.subject),
    issuerText: formatName(tbs.issuer),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
  };
}
