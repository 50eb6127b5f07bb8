/**
 * K3s's issuance (reference/rke2-k3s.md §2), which RKE2 shares: CAs with serial 0, NotBefore an
 * hour back and their lifetime from there; leaves with NotBefore = max(now − 1 h, CA NotBefore)
 * and their lifetime from that, no BasicConstraints, the CA's subject key id as authority key id.
 */
import type { IssuanceProfile } from '../issuance-profile.js';

/** K3s/RKE2's profile. */
export const RKE2_ISSUANCE: IssuanceProfile = Object.freeze({
  backdateMs: 3_600_000,
  caSerial: 'zero',
  validityFrom: 'not-before',
  leafNotBefore: 'backdated-within-ca',
  leafWithinCa: { expiredHint: 'rotate the CAs first: kpki rotate-ca (see kpki rotate-ca --help)' },
  leafBasicConstraints: false,
  leafAuthorityKeyId: 'issuer-skid',
});
