/** Object identifiers the validator recognises (RFC 5280 §4.2, RFC 4055, RFC 5758, RFC 8410). */
export const Oid = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  certificatePolicies: '2.5.29.32',
  crlDistributionPoints: '2.5.29.31',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

/**
 * Extensions whose semantics this validator implements, so a critical one is not "unknown"
 * (RFC 5280 §4.2: a certificate-using system MUST reject a certificate with an unrecognised
 * critical extension). Policies are deliberately absent: policy processing is not implemented,
 * so a critical certificatePolicies/policyConstraints extension is rejected rather than ignored.
 */
export const HANDLED_EXTENSIONS: ReadonlySet<string> = new Set([
  Oid.basicConstraints,
  Oid.keyUsage,
  Oid.extKeyUsage,
  Oid.subjectAltName,
  Oid.nameConstraints,
  Oid.subjectKeyIdentifier,
  Oid.authorityKeyIdentifier,
  Oid.authorityInfoAccess,
]);
