/**
 * RKE's issuance (pki/util.go newSignedCert, pki/cert NewSelfSignedCACert; reference/rke.md §2):
 * CAs valid from now, random serials, leaves without BasicConstraints and with NotBefore = the
 * CA's NotBefore. Two deliberate differences: a leaf's NotAfter is clamped to its CA's, so no
 * leaf outlives the CA that signs it; and RKE ≤ v1.2 CAs have no subject key id, so Go gave their
 * leaves no authority key id, which strict verifiers (openssl -x509_strict) reject — kpki derives
 * one from the CA's key (the value Go would have put in the CA), which any verifier's lookup matches.
 */
import type { IssuanceProfile } from '../issuance-profile.js';

/** RKE's profile. */
export const RKE_ISSUANCE: IssuanceProfile = Object.freeze({
  backdateMs: 0,
  caSerial: 'random',
  validityFrom: 'issuing-instant',
  leafNotBefore: 'ca-not-before',
  leafWithinCa: { expiredHint: 'rotate the CAs with: kpki rotate --rotate-ca' },
  leafBasicConstraints: false,
  leafAuthorityKeyId: 'derived-when-missing',
});
